import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core, for the browser tests and the console bench:
 * never a downloaded browser build (only package registries are reachable; `.ci/run` installs
 * the `chromium` Debian package). CHROMIUM_PATH points elsewhere when needed.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

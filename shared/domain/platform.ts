import { z } from "zod";

export const PlatformSchema = z.enum(["windows", "ios", "macos", "android", "linux", "multi", "unknown"]);
export type Platform = z.infer<typeof PlatformSchema>;

const markers: [Exclude<Platform, "multi" | "unknown">, RegExp][] = [
  ["windows", /windows|win32|win10|winget|microsoftstore|officesuite|windowsphone|edge/],
  ["macos", /macos|osx/],
  ["ios", /\bios|^ios|ios[a-z]|ipad|iphone|\.ios/],
  ["android", /android|aosp/],
  ["linux", /linux/],
];

const leadingPlatforms: [Exclude<Platform, "multi" | "unknown">, RegExp][] = [
  ["windows", /^(windows|win32|win10|winget)[a-z0-9]*$/],
  ["macos", /^(macos|osx)[a-z0-9]*$/],
  ["ios", /^(ios|ipad|iphone)[a-z0-9]*$/],
  ["android", /^(android|aosp)[a-z0-9]*$/],
  ["linux", /^linux[a-z0-9]*$/],
];

/**
 * Derives a platform from the text Graph gives us (an `@odata.type`, a `platforms` enum such as
 * `windows10,macOS`, or an assignment filter's `platform`). Several platforms → `multi`.
 */
export function platformFromText(text: string | undefined | null): Platform {
  if (!text) return "unknown";
  const lowered = text.toLowerCase().replace(/^#?microsoft\.graph\./, "");
  // Graph type names start with their platform (macOSOfficeSuiteApp, iosVppApp, win32LobApp);
  // that prefix wins over product words later in the name ("edge", "officesuite"), which
  // would otherwise make a macOS app look like a Windows one too.
  const leading = leadingPlatforms.find(([, pattern]) => pattern.test(lowered));
  if (leading) return leading[0];
  const found = new Set<Platform>();
  for (const [platform, pattern] of markers) if (pattern.test(lowered)) found.add(platform);
  if (found.size === 0) return "unknown";
  if (found.size > 1) return "multi";
  return [...found][0] ?? "unknown";
}

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

/**
 * Derives a platform from the text Graph gives us (an `@odata.type`, a `platforms` enum such as
 * `windows10,macOS`, or an assignment filter's `platform`). Several platforms → `multi`.
 */
export function platformFromText(text: string | undefined | null): Platform {
  if (!text) return "unknown";
  const lowered = text.toLowerCase().replace(/^#?microsoft\.graph\./, "");
  const found = new Set<Platform>();
  for (const [platform, pattern] of markers) if (pattern.test(lowered)) found.add(platform);
  if (found.size === 0) return "unknown";
  if (found.size > 1) return "multi";
  return [...found][0] ?? "unknown";
}

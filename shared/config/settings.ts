import { z } from "zod";
import { MAX_BASELINE_ITEMS } from "../domain/baseline";

/**
 * Every setting of the service, validated once at start-up. A missing or malformed setting
 * fails fast with its name and what was expected (see `loadSettings`), so a bad deployment
 * never half-starts.
 */
const intSetting = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `expected an integer between ${min} and ${max}` })
    .int(`expected an integer between ${min} and ${max}`)
    .min(min, `expected an integer between ${min} and ${max}`)
    .max(max, `expected an integer between ${min} and ${max}`)
    .default(fallback);

const boolSetting = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"], { error: "expected true or false" })
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1");

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });

/** Six-field NCRONTAB as the Functions timer trigger uses: second minute hour day month weekday. */
const ncrontab = z
  .string()
  .trim()
  .regex(/^(\S+\s+){5}\S+$/, "expected a six-field NCRONTAB expression, e.g. 0 0 2 * * *");

export const GraphAuthModeSchema = z.enum(["clientSecret", "certificate", "federated", "simulator"]);
export type GraphAuthMode = z.infer<typeof GraphAuthModeSchema>;

export const SettingsSchema = z
  .object({
    COSMOS_ENDPOINT: httpUrl,
    COSMOS_KEY: optionalText,
    COSMOS_DATABASE: z.string().trim().min(1).max(255).default("inventory"),
    TABLES_ENDPOINT: optionalText.pipe(httpUrl.optional()),
    TABLES_CONNECTION_STRING: optionalText,
    TABLES_TENANTS_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "expected a Table Storage table name")
      .default("tenants"),
    GRAPH_BASE_URL: httpUrl.default("https://graph.microsoft.com"),
    GRAPH_AUTH_MODE: GraphAuthModeSchema.default("clientSecret"),
    GRAPH_CLIENT_ID: optionalText,
    GRAPH_CLIENT_SECRET: optionalText,
    GRAPH_CLIENT_CERTIFICATE_PATH: optionalText,
    GRAPH_FEDERATED_CLIENT_ID: optionalText,
    GRAPH_REQUEST_TIMEOUT_MS: intSetting(1_000, 300_000, 60_000),
    GRAPH_MAX_ATTEMPTS: intSetting(1, 12, 6),
    SYNC_SCHEDULE: ncrontab.default("0 0 2 * * *"),
    WATCHDOG_SCHEDULE: ncrontab.default("0 */10 * * * *"),
    SYNC_MAX_CONCURRENT_RUNS: intSetting(1, 1_000, 20),
    SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: intSetting(1, 100, 2),
    SYNC_MAX_PARALLEL_TYPES: intSetting(1, 64, 8),
    SYNC_LEASE_SECONDS: intSetting(1, 86_400, 1_800),
    SYNC_NIGHTLY_WAIT_SECONDS: intSetting(0, 86_400, 3_600),
    /** Days a change document is kept (Cosmos TTL on the runs container; docs/api.md "Changes"). */
    CHANGES_RETENTION_DAYS: intSetting(1, 24_855, 90),
    /**
     * Items one baseline may expect; a capture or list over it is 422 BASELINE_TOO_LARGE. Only
     * lowered, never raised past MAX_BASELINE_ITEMS: the read side (GET, drift) is built for that.
     */
    BASELINE_MAX_ITEMS: intSetting(1, MAX_BASELINE_ITEMS, MAX_BASELINE_ITEMS),
    AUTH_REQUIRE_PRINCIPAL: boolSetting(false),
    /**
     * The origin callers reach the API at (a custom domain, a reverse proxy). Absolute `Location`
     * headers and the OpenAPI `servers` are built from it, never from the request's Host.
     */
    PUBLIC_BASE_URL: optionalText.pipe(httpUrl.optional()),
    /** Set by App Service / Functions to the app's default host name; used when PUBLIC_BASE_URL is not. */
    WEBSITE_HOSTNAME: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/, "expected a host name")
        .optional(),
    ),
  })
  .superRefine((s, ctx) => {
    if (!s.TABLES_ENDPOINT && !s.TABLES_CONNECTION_STRING) {
      ctx.addIssue({
        code: "custom",
        path: ["TABLES_ENDPOINT"],
        message: "set TABLES_ENDPOINT (identity) or TABLES_CONNECTION_STRING",
      });
    }
    if (s.SYNC_MAX_CONCURRENT_RUNS_PER_TENANT > s.SYNC_MAX_CONCURRENT_RUNS) {
      ctx.addIssue({
        code: "custom",
        path: ["SYNC_MAX_CONCURRENT_RUNS_PER_TENANT"],
        message: "must not exceed SYNC_MAX_CONCURRENT_RUNS",
      });
    }
    const needs: Partial<Record<GraphAuthMode, keyof typeof s>> = {
      clientSecret: "GRAPH_CLIENT_SECRET",
      certificate: "GRAPH_CLIENT_CERTIFICATE_PATH",
      federated: "GRAPH_FEDERATED_CLIENT_ID",
    };
    const required = needs[s.GRAPH_AUTH_MODE];
    if (required && !s[required]) {
      ctx.addIssue({ code: "custom", path: [required], message: `required when GRAPH_AUTH_MODE=${s.GRAPH_AUTH_MODE}` });
    }
    if (s.GRAPH_AUTH_MODE !== "simulator" && !s.GRAPH_CLIENT_ID) {
      ctx.addIssue({ code: "custom", path: ["GRAPH_CLIENT_ID"], message: `required when GRAPH_AUTH_MODE=${s.GRAPH_AUTH_MODE}` });
    }
    if (s.GRAPH_AUTH_MODE === "simulator" && !isLoopbackUrl(s.GRAPH_BASE_URL)) {
      ctx.addIssue({
        code: "custom",
        path: ["GRAPH_BASE_URL"],
        message: "GRAPH_AUTH_MODE=simulator sends unsigned tokens and is refused unless GRAPH_BASE_URL is a loopback address",
      });
    }
  });

export type Settings = z.infer<typeof SettingsSchema>;
export const SETTING_NAMES = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

export class SettingsError extends Error {
  readonly code = "INVALID_SETTINGS";
  constructor(readonly problems: { setting: string; message: string }[]) {
    super(`Invalid settings: ${problems.map((p) => `${p.setting}: ${p.message}`).join("; ")}`);
    this.name = "SettingsError";
  }
}

/** Parses settings from an environment; throws SettingsError naming every bad setting. */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const picked: Record<string, string | undefined> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== "") picked[name] = value;
  }
  const parsed = SettingsSchema.safeParse(picked);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => ({
        setting: String(issue.path[0] ?? "settings"),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/**
 * The origin of absolute URLs the API hands out (`Location`, OpenAPI `servers`): PUBLIC_BASE_URL,
 * else https://WEBSITE_HOSTNAME (Azure), else null (the caller then uses a relative reference or
 * its own listening address). Never the request's Host: that is the caller's to choose, and a
 * DNS-rebinding page or a proxy could otherwise steer pollers to another server.
 */
export function publicOriginOf(settings: Pick<Settings, "PUBLIC_BASE_URL" | "WEBSITE_HOSTNAME">): string | null {
  if (settings.PUBLIC_BASE_URL) return new URL(settings.PUBLIC_BASE_URL).origin;
  if (settings.WEBSITE_HOSTNAME) return `https://${settings.WEBSITE_HOSTNAME.toLowerCase()}`;
  return null;
}

/**
 * True when the App Service principal replaces function keys: AUTH_REQUIRE_PRINCIPAL is on AND
 * App Service authentication is enabled on this app (App Service sets WEBSITE_AUTH_ENABLED=True
 * then, and only then strips caller-supplied `x-ms-client-principal` headers). Read from the
 * environment at registration time, before settings are validated, because it decides how the
 * Functions host registers the HTTP routes; with either half missing the keys stay, so turning
 * the setting on without the platform's authentication can never open a route.
 */
export function principalIsTheGate(env: Record<string, string | undefined> = process.env): boolean {
  const required = SettingsSchema.shape.AUTH_REQUIRE_PRINCIPAL.safeParse(env.AUTH_REQUIRE_PRINCIPAL || undefined);
  return required.success && required.data && /^true$/i.test(env.WEBSITE_AUTH_ENABLED?.trim() ?? "");
}

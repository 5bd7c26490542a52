/**
 * End-to-end helpers: a local host on a free loopback port (its own embedded stores and Graph
 * simulator, so files running in parallel never share a tenant), plain `fetch` over real HTTP,
 * and a gate that holds sync activities so "still running" is a state the test controls, not a
 * race it hopes to win.
 */
import { expect } from "vitest";
import { POLICY_TYPE_KEYS } from "../../shared/domain";
import type { PolicyTypeKey } from "../../shared/domain";
import { ProblemDetailsSchema } from "../../shared/http/problem";
import { DEMO_TENANTS } from "../../local/host/demoTenants";
import type { DemoTenant } from "../../local/host/demoTenants";
import { startLocalHost } from "../../local/host/localHost";
import type { LocalHost, LocalHostOptions } from "../../local/host/localHost";

/** One object per type: a full sync is one small page per type. */
export const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;
export const TWO_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 2])) as Record<PolicyTypeKey, number>;

/** The demo tenants (same ids and names) with small listings. */
export const SMALL_DEMO_TENANTS: DemoTenant[] = DEMO_TENANTS.map((t, i) => ({ ...t, sizes: i === 0 ? TWO_EACH : ONE_EACH }));
export const CONTOSO = SMALL_DEMO_TENANTS[0]!.tenantId;
export const FABRIKAM = SMALL_DEMO_TENANTS[1]!.tenantId;

/** Holds every syncPolicyType activity while closed; everything else runs. */
export class ActivityGate {
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    if (this.gate) return;
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
    this.open = null;
  }

  readonly wrap = (name: string, run: (input: unknown) => Promise<unknown>) =>
    name !== "syncPolicyType"
      ? run
      : async (input: unknown) => {
          if (this.gate) await this.gate;
          return run(input);
        };
}

export interface E2eHost {
  host: LocalHost;
  baseUrl: string;
  gate: ActivityGate;
  close(): Promise<void>;
}

export async function startE2eHost(options: Omit<LocalHostOptions, "port"> = {}): Promise<E2eHost> {
  const gate = new ActivityGate();
  const host = await startLocalHost({
    port: 0,
    env: {},
    demoTenants: SMALL_DEMO_TENANTS,
    // Tests fire timers themselves (admin endpoint, engine.watchdog()); a schedule would race them.
    timers: false,
    ...options,
    engine: { wrapActivity: gate.wrap, ...options.engine },
  });
  return {
    host,
    baseUrl: host.baseUrl,
    gate,
    async close() {
      gate.release();
      await waitForIdle(host);
      await host.close();
    },
  };
}

/** Waits (bounded) until no run of any registered tenant is queued or running. */
export async function waitForIdle(host: LocalHost, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tenants = await host.stack.stores.tenants.list();
    const active = (await Promise.all(tenants.map((t) => host.stack.stores.runs.listActive(t.tenantId)))).flat();
    if (active.length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface HttpInit {
  headers?: Record<string, string>;
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Sent as is; set the content type yourself. */
  raw?: string | Uint8Array;
}

export async function http(method: string, url: string, init: HttpInit = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Uint8Array | undefined = init.raw;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  // Like the CLI: every POST/PUT declares JSON (the API refuses one that does not), unless the
  // test sends a raw body and chooses its content type itself.
  if ((method === "POST" || method === "PUT") && init.raw === undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A problem+json answer with the stable code (and the field path, when given). */
export function expectProblem(answer: HttpAnswer, status: number, code: string, path?: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const problem = ProblemDetailsSchema.parse(answer.body);
  expect(problem.code).toBe(code);
  expect(problem.status).toBe(status);
  expect(answer.headers.get("x-correlation-id")).toBe(problem.correlationId);
  if (path !== undefined) expect(problem.errors?.map((e) => e.path)).toContain(path);
}

export interface Followed {
  /** Status of every GET of the Location, in order. */
  statuses: number[];
  final: HttpAnswer;
}

/**
 * Follows a run's Location as Logic Apps does: GET it; while it answers 202, check the 202 names
 * the same Location and a Retry-After, then GET it again; stop at the first non-202. The pause
 * between polls is short here (Retry-After is honoured in spirit, not in seconds).
 */
export async function followLocation(location: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<Followed> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const statuses: number[] = [];
  for (;;) {
    const answer = await http("GET", location);
    statuses.push(answer.status);
    if (answer.status !== 202) return { statuses, final: answer };
    expect(answer.headers.get("location")).toBe(location);
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    if (Date.now() > deadline) throw new Error(`${location} still answers 202 after ${options.timeoutMs ?? 30_000} ms`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}

export const syncUrl = (baseUrl: string, tenantId: string) => `${baseUrl}/tenants/${tenantId}/inventory/sync`;

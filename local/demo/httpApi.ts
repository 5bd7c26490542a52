import type { z } from "zod";
import { CORRELATION_HEADER } from "../../shared/http/correlation";
import { CoverageSchema } from "../../shared/http/schemas";
import { MissingReportSchema, ProblemSchema, RunSchema, SyncAcceptedSchema } from "../cli/responses";
import type { Run } from "../../shared/domain";

/**
 * The few calls the demo makes, over real HTTP, the way an automation client would: POST the
 * sync, then follow the `Location` header until it answers 200. Answers are parsed with the
 * contract's own schemas, so the demo fails loudly if the API drifts from API.md.
 */
export class DemoApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "DemoApiError";
  }
}

export type Coverage = z.infer<typeof CoverageSchema>;
export type MissingReport = z.infer<typeof MissingReportSchema>;

export interface StartedRun {
  runId: string;
  /** The absolute `Location` the 202 named: the run to poll. */
  location: string;
  retryAfterSeconds: number | null;
}

export interface PollUpdate {
  run: Run;
  /** 202 while queued or running, 200 once terminal. */
  status: number;
}

export class DemoApi {
  constructor(
    readonly baseUrl: string,
    private readonly correlationId: string,
  ) {}

  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", [CORRELATION_HEADER]: this.correlationId };
    // The API requires a JSON content type on every POST/PUT, an empty body included.
    if (body !== undefined || method === "POST" || method === "PUT") headers["content-type"] = "application/json";
    return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  private async fail(method: string, url: string, response: Response): Promise<never> {
    const text = await response.text();
    let problem: z.infer<typeof ProblemSchema> = {};
    try {
      problem = ProblemSchema.parse(JSON.parse(text));
    } catch {
      // Not a problem body; the status says enough.
    }
    throw new DemoApiError(
      `${method} ${url} → ${response.status}${problem.code ? ` ${problem.code}` : ""}${problem.detail ? `: ${problem.detail}` : ""}`,
      response.status,
      problem.code,
    );
  }

  private async json<S extends z.ZodType>(schema: S, method: string, url: string, expected: number[], body?: unknown) {
    const response = await this.request(method, url, body);
    if (!expected.includes(response.status)) return this.fail(method, url, response);
    return { response, body: schema.parse(await response.json()) as z.output<S> };
  }

  private tenantUrl(tenantId: string, rest: string): string {
    return `${this.baseUrl}/tenants/${encodeURIComponent(tenantId)}${rest}`;
  }

  async startSync(tenantId: string, selection: Record<string, unknown>): Promise<StartedRun> {
    const { response, body } = await this.json(SyncAcceptedSchema, "POST", this.tenantUrl(tenantId, "/inventory/sync"), [202], selection);
    const location = response.headers.get("location");
    if (!location) throw new DemoApiError("POST …/sync answered 202 without a Location header", 202);
    const retryAfter = Number(response.headers.get("retry-after"));
    return { runId: body.runId, location, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null };
  }

  /** One GET of the run's Location: 202 while it is queued or running, 200 when it is done. */
  async poll(location: string): Promise<PollUpdate> {
    const { response, body } = await this.json(RunSchema, "GET", location, [200, 202]);
    return { run: body, status: response.status };
  }

  async coverage(tenantId: string): Promise<Coverage> {
    return (await this.json(CoverageSchema, "GET", this.tenantUrl(tenantId, "/inventory/coverage"), [200])).body;
  }

  async missing(tenantId: string, query: URLSearchParams): Promise<MissingReport> {
    return (await this.json(MissingReportSchema, "GET", `${this.tenantUrl(tenantId, "/inventory/missing")}?${query.toString()}`, [200])).body;
  }
}

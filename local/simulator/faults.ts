import { randomUUID } from "node:crypto";

/**
 * What can go wrong per tenant and policy type, injected by tests and demos: error answers on
 * chosen pages, latency, a foreign nextLink, duplicates across pages, $select ignored.
 */

export interface FaultSpec {
  status: number;
  /** 1-based page the fault hits; 0: the per-object `…/{id}/assignments` reads only; every request when absent. */
  onPage?: number;
  /** How many requests it answers before it is spent; unlimited when absent. */
  times?: number;
  /** Retry-After header: seconds, or an HTTP date string. */
  retryAfter?: number | string;
  /** The body: an object is sent as JSON, a string as is; a Graph-like error body by default. */
  body?: unknown;
}

export interface LatencySpec {
  ms: number;
  jitterMs?: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export interface TypeBehaviour {
  faults: ActiveFault[];
  foreignNextLink: { url: string; onPage: number } | null;
  duplicateAcrossPages: boolean;
  ignoreSelect: boolean;
}

/** Graph's error envelope, with the codes Graph uses for each status. */
export function graphErrorBody(status: number, now: Date, message?: string, code?: string): object {
  const defaults: Record<number, [string, string]> = {
    400: ["BadRequest", "Bad request."],
    401: ["InvalidAuthenticationToken", "Access token validation failure. Invalid audience."],
    403: ["Forbidden", "Application is not authorized to perform this operation."],
    404: ["ResourceNotFound", "Resource not found."],
    405: ["BadRequest", "Method not allowed: this simulator, like an inventory, only reads."],
    429: ["TooManyRequests", "Too many requests. Please retry again later."],
    500: ["InternalServerError", "An internal server error occurred."],
    502: ["BadGateway", "Bad gateway."],
    503: ["ServiceUnavailable", "Service is unavailable. Please retry again later."],
    504: ["GatewayTimeout", "Gateway timeout."],
  };
  const [defaultCode, defaultMessage] = defaults[status] ?? ["UnknownError", "An error has occurred."];
  const requestId = randomUUID();
  return {
    error: {
      code: code ?? defaultCode,
      message: message ?? defaultMessage,
      innerError: { date: now.toISOString().slice(0, 19), "request-id": requestId, "client-request-id": requestId },
    },
  };
}

/** Graph's 403 for an app without the type's read permission, naming the permission the catalog says it needs. */
export function forbiddenBody(now: Date, permission: string): object {
  return graphErrorBody(
    403,
    now,
    `Application is not authorized to perform this operation. Application must have one of the following scopes: ${permission}`,
  );
}

/**
 * The answer Intune gives a tenant without a usable Intune subscription ("Request not
 * applicable to target tenant.", code BadRequest), as reported against the Graph beta SDK.
 */
export function notLicensedBody(now: Date): object {
  return graphErrorBody(400, now, "Request not applicable to target tenant.", "BadRequest");
}

export class FaultBook {
  private readonly behaviours = new Map<string, TypeBehaviour>();
  private readonly latencies = new Map<string, LatencySpec>();

  private key(tenantId: string, policyType: string | null): string {
    return `${tenantId}\u0000${policyType ?? "*"}`;
  }

  behaviour(tenantId: string, policyType: string): TypeBehaviour {
    const key = this.key(tenantId, policyType);
    let b = this.behaviours.get(key);
    if (!b) {
      b = { faults: [], foreignNextLink: null, duplicateAcrossPages: false, ignoreSelect: false };
      this.behaviours.set(key, b);
    }
    return b;
  }

  addFault(tenantId: string, policyType: string, spec: FaultSpec): void {
    this.behaviour(tenantId, policyType).faults.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  /** The first unspent fault for this page, consuming one of its `times`. */
  takeFault(tenantId: string, policyType: string, pageNumber: number): FaultSpec | null {
    const b = this.behaviours.get(this.key(tenantId, policyType));
    if (!b) return null;
    const fault = b.faults.find((f) => f.remaining > 0 && (f.onPage === undefined || f.onPage === pageNumber));
    if (!fault) return null;
    fault.remaining -= 1;
    return fault;
  }

  setLatency(tenantId: string, policyType: string | null, spec: LatencySpec): void {
    this.latencies.set(this.key(tenantId, policyType), spec);
  }

  /** Type-specific latency wins over the tenant's, which wins over the simulator's default. */
  latencyFor(tenantId: string, policyType: string, fallback: LatencySpec): LatencySpec {
    return this.latencies.get(this.key(tenantId, policyType)) ?? this.latencies.get(this.key(tenantId, null)) ?? fallback;
  }

  reset(tenantId?: string): void {
    for (const map of [this.behaviours, this.latencies] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) if (!tenantId || key.startsWith(`${tenantId}\u0000`)) map.delete(key);
    }
  }
}

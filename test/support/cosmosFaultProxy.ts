import { readFileSync } from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";

/**
 * A fault-injecting HTTPS proxy in front of the in-process Cosmos-compatible server.
 *
 * It terminates TLS with the server package's own self-signed certificate (read from the
 * installed package, loopback only), so it sees each HTTP request and can answer it itself:
 * a 429 with `x-ms-retry-after-ms` (Cosmos throttling), a 503 (service unavailable), or no
 * answer at all (the connection is destroyed: an outage). Everything else is forwarded. The
 * server advertises its own address in the database-account document (`writableLocations`),
 * which the SDK would then call directly; the proxy rewrites that address to its own so every
 * request keeps going through it.
 *
 * Faults are chosen by request number, not by time, so what a run meets does not depend on
 * how fast the machine is.
 */
export type CosmosFault = "throttle" | "unavailable" | "drop";

export interface CosmosFaultPlan {
  /** Called with the 1-based number of each data request; return a fault or null to forward it. */
  (requestNumber: number, req: IncomingMessage): CosmosFault | null;
}

export interface CosmosFaultProxy {
  endpoint: string;
  /** Replace the plan (null: forward everything). The request counter keeps counting. */
  setPlan(plan: CosmosFaultPlan | null): void;
  counts(): Record<CosmosFault | "forwarded", number>;
  requests(): number;
  close(): Promise<void>;
}

const certDir = () => dirname(require.resolve("@vercel/cosmosdb-server/package.json"));

export async function startCosmosFaultProxy(upstreamEndpoint: string): Promise<CosmosFaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  let plan: CosmosFaultPlan | null = null;
  let requestNumber = 0;
  const counts = { throttle: 0, unavailable: 0, drop: 0, forwarded: 0 };
  let self = "";

  const answerFault = (fault: CosmosFault, req: IncomingMessage, res: ServerResponse) => {
    counts[fault] += 1;
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    const status = fault === "throttle" ? 429 : 503;
    const body = JSON.stringify({
      code: fault === "throttle" ? "TooManyRequests" : "ServiceUnavailable",
      message: fault === "throttle" ? "Request rate is large (injected)." : "Service is unavailable (injected).",
    });
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...(fault === "throttle" ? { "x-ms-retry-after-ms": "5", "x-ms-substatus": "3200" } : {}),
    });
    res.end(body);
  };

  const server = https.createServer(
    {
      cert: readFileSync(join(certDir(), "cert.pem")),
      key: readFileSync(join(certDir(), "key.pem")),
      keepAlive: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        // The database-account read (GET /) is how the SDK finds the endpoint; faults hit data requests.
        const isAccountRead = req.method === "GET" && (req.url === "/" || req.url === "");
        if (!isAccountRead) {
          requestNumber += 1;
          const fault = plan?.(requestNumber, req) ?? null;
          if (fault) return answerFault(fault, req, res);
        }
        counts.forwarded += 1;
        const forward = https.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
            agent,
          },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on("data", (c: Buffer) => parts.push(c));
            answer.on("end", () => {
              let body = Buffer.concat(parts);
              if (isAccountRead) body = Buffer.from(body.toString("utf8").split(`//${upstream.host}/`).join(`//${self}/`));
              const headers = { ...answer.headers, "content-length": String(body.length) };
              delete headers["transfer-encoding"];
              res.writeHead(answer.statusCode ?? 502, headers);
              res.end(body);
            });
          },
        );
        forward.on("error", () => req.socket.destroy());
        forward.end(Buffer.concat(chunks));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  self = `127.0.0.1:${port}`;
  return {
    endpoint: `https://${self}`,
    setPlan: (next) => (plan = next),
    counts: () => ({ ...counts }),
    requests: () => requestNumber,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

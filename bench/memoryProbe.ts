/**
 * Preloaded (`node --require dist/bench/memoryProbe.js`) into the local host that
 * `npm run bench:memory` measures, so the bench can ask the host, over the IPC channel it was
 * spawned with, where its memory is: `process.memoryUsage()` (rss, heapTotal, heapUsed,
 * external, arrayBuffers), V8's heap spaces and, on request, a heap snapshot. Nothing here runs
 * in `npm start`; the host's code does not know it is measured.
 */
import { writeHeapSnapshot, getHeapSpaceStatistics } from "node:v8";

export interface ProbeRequest {
  kind: "memory" | "snapshot";
  id: number;
  /** For "snapshot": where to write it. */
  path?: string;
  /** Collect garbage first (the host is started with --expose-gc for the bench). */
  gc?: boolean;
}

export interface MemoryBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Committed size of each V8 heap space (new, old, code, large object…). */
  spaces: Record<string, { size: number; used: number }>;
}

export interface ProbeReply {
  id: number;
  memory?: MemoryBreakdown;
  snapshot?: string;
}

function breakdown(): MemoryBreakdown {
  const m = process.memoryUsage();
  const spaces: MemoryBreakdown["spaces"] = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { size: s.space_size, used: s.space_used_size };
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, spaces };
}

if (process.send) {
  // The channel must not keep the host alive on its own, nor be what the bench measures.
  process.channel?.unref();
  process.on("message", (message: ProbeRequest) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.gc && gc) gc();
    const reply: ProbeReply =
      message.kind === "snapshot"
        ? { id: message.id, snapshot: writeHeapSnapshot(message.path) }
        : { id: message.id, memory: breakdown() };
    process.send?.(reply);
  });
}

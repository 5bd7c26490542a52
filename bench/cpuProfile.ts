import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

/**
 * A V8 CPU profile of this process (the sync process: the stand-ins run elsewhere), taken with
 * the inspector module around the measured window and written as a `.cpuprofile` that Chrome
 * DevTools or VS Code open; plus the top self-time functions, so the figures can be quoted.
 */

/** The parts of V8's Profile (Chrome DevTools protocol, Profiler domain) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  /** `name (file:line)`, with the path shortened to what follows node_modules/ or the repo's dist/. */
  function: string;
  selfMs: number;
  /** Share of all sampled time, idle excluded. */
  percent: number;
}

/** Sampling interval: V8's default is 1 ms; 500 µs resolves the short activities better at modest cost. */
const SAMPLING_INTERVAL_MICROS = 500;

export async function startCpuProfile(): Promise<{ stop(file: string): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_MICROS });
  await post("Profiler.start");
  return {
    async stop(file) {
      const { profile } = await post<{ profile: CpuProfile }>("Profiler.stop");
      await post("Profiler.disable");
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      return profile;
    },
  };
}

function shortLocation(url: string, line: number): string {
  if (!url) return "native";
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("node_modules/");
  const dist = path.lastIndexOf("/dist/");
  const short = nm >= 0 ? path.slice(nm + "node_modules/".length) : dist >= 0 ? path.slice(dist + "/dist/".length) : path;
  return `${short}:${line + 1}`;
}

/**
 * Self time per function (summed over every node of the call tree with the same function and
 * location), from the sample stream: each sample's time delta is charged to the node it hit.
 * "(idle)" is left out of the total: it is time the process waited, not time it worked.
 * "(garbage collector)" and "(program)" stay in: they are CPU the process spent.
 */
export function topSelfTime(profile: CpuProfile, count: number): SelfTimeEntry[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i] as number);
    // A sample's delta is the time since the previous sample; charge it to this sample's node.
    const delta = Math.max(0, deltas[i] ?? 0);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = functionName.startsWith("(") ? functionName : `${functionName || "(anonymous)"} (${shortLocation(url, lineNumber)})`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  }
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, micros]) => ({ function: fn, selfMs: Math.round(micros / 1000), percent: total > 0 ? Math.round((micros / total) * 1000) / 10 : 0 }));
}

/** Where the sync process's CPU goes, by component: the evidence behind "what dominates". */
export interface ComponentShare {
  component: string;
  selfMs: number;
  percent: number;
}

/**
 * Components in the order a stack is searched from its leaf: the first frame that belongs to a
 * library or to our code names the component, so Node's socket and TLS work is charged to the
 * library that asked for it whenever the caller is still on the stack. Work that runs from a
 * socket callback (no JS caller left: TLS encryption of a queued write, response parsing) is
 * "sockets, HTTP and TLS".
 */
const COMPONENTS: readonly [string, RegExp][] = [
  ["Cosmos SDK (@azure/cosmos)", /node_modules\/@azure\/(cosmos|core-[a-z-]+)\/|node_modules\/@typespec\//],
  ["Graph client (graph SDK, fetch)", /node_modules\/@microsoft\/microsoft-graph-client\/|node:internal\/deps\/undici/],
  ["Durable (durable-functions, local driver, orchestrators)", /node_modules\/durable-functions\/|\/local\/durable\/|\/functions\/(orchestrations|entities)\//],
  ["zod (contracts, events)", /node_modules\/zod\//],
  ["Azure Tables SDK", /node_modules\/@azure\/data-tables\//],
  ["ours: store, Graph paging, domain, engine", /\/shared\/|\/local\/runtime\//],
];
const SOCKETS = /^node:(net|_http_|https|_tls_|tls|internal\/(stream|streams|http|tls|net|js_stream|webstreams))/;

export function selfTimeByComponent(profile: CpuProfile): ComponentShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  for (let i = 0; i < samples.length; i++) {
    const leaf = byId.get(samples[i] as number);
    const delta = Math.max(0, profile.timeDeltas?.[i] ?? 0);
    if (!leaf || leaf.callFrame.functionName === "(idle)") continue;
    total += delta;
    let component: string | null = leaf.callFrame.functionName === "(garbage collector)" ? "garbage collection" : null;
    let sockets = false;
    for (let id: number | undefined = leaf.id; component === null && id !== undefined; id = parent.get(id)) {
      const url = byId.get(id)?.callFrame.url ?? "";
      component = COMPONENTS.find(([, pattern]) => pattern.test(url))?.[0] ?? null;
      sockets ||= SOCKETS.test(url);
    }
    component ??= sockets || leaf.callFrame.url === "" ? "sockets, HTTP and TLS (from socket callbacks)" : "other";
    totals.set(component, (totals.get(component) ?? 0) + delta);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([component, micros]) => ({ component, selfMs: Math.round(micros / 1000), percent: total > 0 ? Math.round((micros / total) * 1000) / 10 : 0 }));
}

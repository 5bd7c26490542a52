import { describe, expect, it } from "vitest";
import { selfTimeByComponent, topSelfTime } from "../../../bench/cpuProfile";
import type { CpuProfile } from "../../../bench/cpuProfile";
import { cpuBetween, cpuMsPerThousandItems } from "../../../bench/cpuUsage";
import { formatTable } from "../../../bench/report";
import type { ScenarioRow } from "../../../bench/report";

const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

describe("bench CPU accounting", () => {
  it("subtracts CPU readings of one process and refuses to mix two processes", () => {
    const before = { pid: 7, userMicros: 1_000_000, systemMicros: 200_000, maxRssKiB: 1 };
    const after = { pid: 7, userMicros: 3_500_000, systemMicros: 450_000, maxRssKiB: 1 };
    expect(cpuBetween(before, after)).toEqual({ userMs: 2_500, systemMs: 250, totalMs: 2_750 });
    expect(() => cpuBetween(before, { ...after, pid: 8 })).toThrow(/different processes/);
  });

  it("states CPU per 1,000 items, and nothing for a run that stored none", () => {
    expect(cpuMsPerThousandItems({ userMs: 1_400, systemMs: 100, totalMs: 1_500 }, 10_000)).toBe(150);
    expect(cpuMsPerThousandItems({ userMs: 1, systemMs: 0, totalMs: 1 }, 0)).toBeNull();
  });

  it("ranks functions by self time summed over every call-tree node, idle left out of the total", () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 10_000,
      nodes: [
        { id: 1, callFrame: frame("(root)") },
        { id: 2, callFrame: frame("(idle)") },
        { id: 3, callFrame: frame("hash", "file:///app/node_modules/@azure/cosmos/dist/commonjs/utils/hash.js", 9) },
        { id: 4, callFrame: frame("hash", "file:///app/node_modules/@azure/cosmos/dist/commonjs/utils/hash.js", 9) },
        { id: 5, callFrame: frame("(garbage collector)") },
        { id: 6, callFrame: frame("", "file:///repo/dist/shared/store/itemWriter.js", 41) },
      ],
      samples: [2, 3, 4, 5, 6, 3, 2],
      timeDeltas: [5_000, 1_000, 1_000, 1_500, 500, 1_000, 9_000],
    };
    expect(topSelfTime(profile, 3)).toEqual([
      { function: "hash (@azure/cosmos/dist/commonjs/utils/hash.js:10)", selfMs: 3, percent: 60 },
      { function: "(garbage collector)", selfMs: 2, percent: 30 },
      { function: "(anonymous) (shared/store/itemWriter.js:42)", selfMs: 1, percent: 10 },
    ]);
  });

  it("charges socket work to the library on its stack, and to sockets only when no caller is left", () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 10,
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2, 5, 7] },
        { id: 2, callFrame: frame("bulk", "file:///a/node_modules/@azure/cosmos/dist/commonjs/client/Item/Items.js"), children: [3] },
        { id: 3, callFrame: frame("write", "node:net"), children: [4] },
        { id: 4, callFrame: frame("writev") },
        { id: 5, callFrame: frame("onStreamRead", "node:internal/stream_base_commons"), children: [6] },
        { id: 6, callFrame: frame("writev") },
        { id: 7, callFrame: frame("(garbage collector)") },
      ],
      samples: [4, 4, 6, 7],
      timeDeltas: [2_000, 2_000, 4_000, 2_000],
    };
    expect(selfTimeByComponent(profile)).toEqual([
      { component: "Cosmos SDK (@azure/cosmos)", selfMs: 4, percent: 40 },
      { component: "sockets, HTTP and TLS (from socket callbacks)", selfMs: 4, percent: 40 },
      { component: "garbage collection", selfMs: 2, percent: 20 },
    ]);
  });

  it("prints the sync process's figures and each stand-in's CPU seconds in the table", () => {
    const row: ScenarioRow = {
      name: "nightly",
      wallMs: 12_000,
      floorMs: 3_200,
      ratioToFloor: 3.75,
      graphCalls: 5_800,
      itemsPerSecond: 5_000,
      peakRssMiB: 180.4,
      baselineWallMs: 500_000,
      tenantsSkipped: 0,
      syncCpuMs: 9_000,
      cpuMsPer1kItems: 150,
      standInCpuSeconds: { cosmos: 4.25, tables: 0.3, graph: 2.9 },
    };
    const table = formatTable([row]).split("\n");
    expect(table[0]).toMatch(/sync peak RSS MiB \| sync CPU ms \/ 1k items \| Cosmos CPU s \| Azurite CPU s \| Graph sim CPU s/);
    expect(table[2]).toMatch(/\| +180\.4 \| +150 \| +4\.3 \| +0\.3 \| +2\.9 \|/);
  });
});

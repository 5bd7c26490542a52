import { describe, expect, it } from "vitest";
import type { Run } from "../../../shared/domain/run";
import { ApiError } from "../../../cli/apiClient";
import { ExitCode, exitCodeForRunStatus, exitCodeForStatus } from "../../../cli/exitCodes";
import {
  csv,
  csvCell,
  formatApiError,
  formatDuration,
  formatItems,
  formatMissing,
  formatRunReport,
  formatTimestamp,
  sanitize,
  sortItems,
  table,
} from "../../../cli/format";

const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

const run: Run = {
  id: "run-7",
  tenantId: TENANT,
  selectionHash: "c".repeat(64),
  selection: { policyTypes: [], categories: ["scripts"], includeFoundations: false },
  status: "partial",
  trigger: "http",
  correlationId: "x",
  requestedAt: "2024-05-01T12:00:00.000Z",
  startedAt: "2024-05-01T12:00:00.000Z",
  finishedAt: "2024-05-01T12:01:05.000Z",
  hadErrors: true,
  counts: { itemsObserved: 1, itemsUpserted: 1, errors: 1 },
  changes: null,
  baseRunId: null,
  errorCodes: ["GRAPH_FORBIDDEN"],
  errors: [{ code: "GRAPH_FORBIDDEN", policyType: "deviceShellScript", message: "Forbidden\u001b[31m red" }],
  policyTypes: [
    {
      policyType: "deviceManagementScript",
      status: "success",
      itemsObserved: 1,
      itemsUpserted: 1,
      pages: 1,
      errorCode: null,
      durationMs: 1234,
    },
    {
      policyType: "deviceShellScript",
      status: "failed",
      itemsObserved: 0,
      itemsUpserted: 0,
      pages: 0,
      errorCode: "GRAPH_FORBIDDEN",
      durationMs: 80,
    },
  ],
  orchestrationInstanceId: null,
};

const item = (displayName: string) => ({
  id: "i",
  tenantId: TENANT,
  policyType: "mobileApp" as const,
  category: "apps" as const,
  externalId: "ext",
  displayName,
  platform: "ios" as const,
  meta: {},
  firstSeenAt: "2024-05-01T12:00:00.000Z",
  lastSeenAt: "2024-05-01T12:00:00.000Z",
  lastSeenRunId: "run-7",
});

describe("CLI output formatting", () => {
  it("pads columns to the widest cell, right-aligns numbers and trims trailing blanks", () => {
    const out = table(
      [
        { header: "NAME", value: (r: { n: string; c: number }) => r.n },
        { header: "COUNT", value: (r) => String(r.c), align: "right" },
      ],
      [
        { n: "a", c: 5 },
        { n: "longer", c: 1234 },
      ],
    );
    expect(out).toBe("NAME    COUNT\na           5\nlonger   1234\n");
  });

  it("neutralises terminal escapes, newlines and bidi overrides in text from the API", () => {
    expect(sanitize("evil\u001b]0;title\u0007name\nnext\u202etxt.exe")).toBe(
      "evil?]0;title?name next?txt.exe",
    );
    const out = formatItems([item("x\u001b[2Jy")]);
    expect(out).not.toContain("\u001b");
    expect(out).toContain("x?[2Jy");
  });

  it("cuts long display names with an ellipsis (the full name is in --json)", () => {
    const out = formatItems([item("N".repeat(100))]);
    expect(out).toContain(`${"N".repeat(59)}…`);
    expect(out).not.toContain("N".repeat(60));
    expect(out.trimEnd().endsWith("1 item")).toBe(true);
  });

  it("formats durations and timestamps compactly", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(12_340)).toBe("12.3s");
    expect(formatDuration(65_000)).toBe("1m05s");
    expect(formatDuration(3_780_000)).toBe("1h03m");
    expect(formatTimestamp("2024-05-01T12:00:00.123Z")).toBe("2024-05-01 12:00:00Z");
    expect(formatTimestamp(null)).toBe("-");
  });

  it("reports a finished run: summary, one row per policy type, then the errors", () => {
    const lines = formatRunReport(run).split("\n");
    expect(lines[0]).toBe("run run-7: partial in 1m05s — 1 item observed, 1 upserted, 1 error");
    expect(lines[2]).toMatch(/^POLICY TYPE\s+STATUS\s+ITEMS\s+UPSERTED\s+PAGES\s+DURATION\s+ERROR$/);
    expect(lines[3]).toMatch(/^deviceManagementScript\s+success\s+1\s+1\s+1\s+1\.2s$/);
    expect(lines[4]).toMatch(/^deviceShellScript\s+failed\s+0\s+0\s+0\s+80ms\s+GRAPH_FORBIDDEN$/);
    expect(lines).toContain("  GRAPH_FORBIDDEN (deviceShellScript): Forbidden?[31m red");
  });

  it("says when nothing can be called missing yet, and warns when confidence is low", () => {
    expect(
      formatMissing({ selectionHash: "d".repeat(64), latestRun: null, confidence: null, items: [] }),
    ).toBe("No completed run of selection dddddddddddd yet: nothing can be called missing.\n");
    const low = formatMissing({
      selectionHash: "d".repeat(64),
      latestRun: { id: "run-7", status: "partial", hadErrors: true, finishedAt: "2024-05-01T12:01:05.000Z" },
      confidence: "low",
      items: [{ ...item("Gone app"), typeComplete: false }],
    });
    expect(low).toContain(
      "latest completed run run-7 (partial, finished 2024-05-01 12:01:05Z), confidence low",
    );
    expect(low).toContain("note: that run was not a clean success");
    expect(low).toMatch(/TYPE COMPLETE\n.*Gone app.*no\n1 missing item\n$/);
  });

  it("explains an API error with its stable code, field errors, active run, hint and correlation id", () => {
    const error = new ApiError("LOCK_HELD", "POST http://h/api/x → 409 LOCK_HELD: held", {
      status: 409,
      activeRunId: "run-0",
      correlationId: "cid-1",
      fieldErrors: [{ path: "body.policyTypes", message: "bad" }],
    });
    expect(formatApiError(error, { tenantId: "t-1" })).toBe(
      [
        "error: POST http://h/api/x → 409 LOCK_HELD: held",
        "  body.policyTypes: bad",
        "  active run: run-0",
        "  hint: follow the active run with: tenant-inventory runs watch t-1 run-0",
        "  correlation id: cid-1",
        "",
      ].join("\n"),
    );
  });
});

describe("CLI hints", () => {
  it("name the real tenant and run, never a placeholder like <tenantId>", () => {
    const cases = [
      new ApiError("TENANT_NOT_FOUND", "GET … → 404", { status: 404 }),
      new ApiError("TENANT_DISABLED", "POST … → 409", { status: 409, runId: "skipped-1" }),
      new ApiError("LOCK_HELD", "POST … → 409", { status: 409, activeRunId: "run-active" }),
    ];
    const [notFound, disabled, held] = cases.map((e) => formatApiError(e, { tenantId: TENANT }));
    expect(notFound).toContain(`hint: no tenant ${TENANT} is registered here (a typo?)`);
    expect(notFound).toContain(`tenant-inventory tenants add ${TENANT} --name "Customer name"`);
    expect(disabled).toContain(`hint: the tenant is disabled; enable it with: tenant-inventory tenants enable ${TENANT}`);
    expect(held).toContain(`hint: follow the active run with: tenant-inventory runs watch ${TENANT} run-active`);
    for (const text of [notFound, disabled, held]) expect(text).not.toMatch(/<\w+>/);
  });
});

describe("CLI CSV", () => {
  const columns = [
    { header: "NAME", value: (r: { name: string }) => r.name },
    { header: "N", value: () => "1" },
  ];

  it("is RFC 4180: a header row, CRLF line ends, quotes doubled, commas and newlines quoted", () => {
    expect(csv(columns, [{ name: 'say "hi", then go' }, { name: "plain" }])).toBe(
      'NAME,N\r\n"say ""hi"", then go",1\r\nplain,1\r\n',
    );
  });

  it("defuses cells a spreadsheet would run as a formula (= + - @ tab CR) with a leading apostrophe", () => {
    for (const bad of ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
      expect(csvCell(bad)).toBe(`'${bad}`);
    }
    expect(csvCell("Contoso = fine")).toBe("Contoso = fine");
    // …and, as OWASP also advises, such a cell is quoted.
    expect(csv(columns, [{ name: "=1+1" }])).toBe(`NAME,N\r\n"'=1+1",1\r\n`);
  });
});

describe("CLI sorting", () => {
  it("items by policy type, then display name (case-insensitive, numbers in order), then Graph id", () => {
    const item = (policyType: string, displayName: string, externalId = "x") => ({ policyType, displayName, externalId });
    const sorted = sortItems([item("mobileApp", "b"), item("deviceConfiguration", "Policy 10"), item("deviceConfiguration", "policy 9"), item("mobileApp", "B", "a")]);
    expect(sorted.map((i) => `${i.policyType}/${i.displayName}/${i.externalId}`)).toEqual([
      "deviceConfiguration/policy 9/x",
      "deviceConfiguration/Policy 10/x",
      "mobileApp/B/a",
      "mobileApp/b/x",
    ]);
  });
});

describe("CLI exit codes", () => {
  it("maps API statuses: 400/413/415 → 2, 409 → 3, 404 → 4, anything else → 1", () => {
    expect([400, 413, 415, 409, 404, 401, 403, 500, 503, undefined].map(exitCodeForStatus)).toEqual([
      2, 2, 2, 3, 4, 1, 1, 1, 1, 1,
    ]);
  });

  it("maps a waited run's status: success and partial 0, failed 1, skipped 3", () => {
    expect(exitCodeForRunStatus("success")).toBe(ExitCode.ok);
    expect(exitCodeForRunStatus("partial")).toBe(ExitCode.ok);
    expect(exitCodeForRunStatus("failed")).toBe(ExitCode.failed);
    expect(exitCodeForRunStatus("skipped")).toBe(ExitCode.conflict);
  });
});

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { PlatformSchema } from "../shared/domain/platform";
import { CategorySchema, POLICY_TYPE_KEYS } from "../shared/domain/policyTypes";
import type { PolicyTypeKey } from "../shared/domain/policyTypes";
import { itemDocumentId } from "../shared/domain/item";
import { RunStatusSchema } from "../shared/domain/run";
import { ChangeKindSchema } from "../shared/domain/changes";
import { SelectionHashOrPrefixSchema } from "../shared/domain/selection";
import type { SelectionInput } from "../shared/domain/selection";
// The API's own bounds, so the CLI refuses exactly what the API would.
import { LIST_LIMIT, WAIT_FOR_SLOT_MAX_SECONDS } from "../shared/http/schemas";
import { GroupIdSchema, TenantIdSchema } from "../shared/domain/tenant";
import { BaselineIdSchema } from "../shared/domain/baseline";
import { DependenciesQuerySchema, ItemIdSchema } from "../shared/http/schemas";
import type { ChangesQuery, DependenciesQuery, ItemsQuery, MissingQuery, RunsQuery } from "./apiClient";
import { ExitCode, UsageError } from "./exitCodes";
import { OUTPUT_FORMATS } from "./format";
import type { OutputFormat } from "./format";

/**
 * The command line, parsed into a typed command and nothing else: no request is made here,
 * so every flag and every usage error can be specified by tests without a server.
 */

export interface GlobalOptions {
  apiUrl?: string;
  key?: string;
  timeoutSeconds: number;
  correlationId?: string;
}

export type CliCommand =
  | { kind: "tenants.add"; tenantId: string; displayName: string; enabled: boolean; json: boolean }
  | { kind: "tenants.list"; format: OutputFormat }
  | { kind: "tenants.remove"; tenantId: string }
  | { kind: "tenants.setEnabled"; tenantId: string; enabled: boolean }
  | { kind: "policyTypes"; format: OutputFormat }
  | { kind: "coverage"; tenantId: string; format: OutputFormat }
  | { kind: "portfolio"; format: OutputFormat }
  | { kind: "runs.watch"; tenantId: string; runId: string; json: boolean }
  | { kind: "runs.changes"; tenantId: string; runId: string; query: ChangesQuery; all: boolean; format: OutputFormat }
  | {
      kind: "sync";
      tenantId: string;
      selection: SelectionInput;
      waitForSlotSeconds?: number;
      wait: boolean;
      json: boolean;
    }
  | { kind: "runs"; tenantId: string; query: RunsQuery; format: OutputFormat }
  | { kind: "items"; tenantId: string; query: ItemsQuery; all: boolean; format: OutputFormat }
  | { kind: "missing"; tenantId: string; query: MissingQuery; format: OutputFormat }
  | { kind: "compare"; left: string; right: string; selection: SelectionInput; all: boolean; format: OutputFormat }
  | { kind: "drift"; tenantId: string; baselineId?: string; all: boolean; format: OutputFormat }
  | { kind: "item"; tenantId: string; itemId: string; format: OutputFormat }
  | { kind: "dependencies"; tenantId: string; query: DependenciesQuery; all: boolean; format: OutputFormat };

export type ParseOutcome =
  | { kind: "command"; command: CliCommand; globals: GlobalOptions }
  | { kind: "exit"; exitCode: ExitCode; stdout: string; stderr: string };

export const DEFAULT_TIMEOUT_SECONDS = 30;

// ── value parsers: each throws InvalidArgumentError, which commander turns into a usage error ──

function parseTenantId(value: string): string {
  const parsed = TenantIdSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError("Expected an Entra tenant id (a GUID).");
  return parsed.data;
}

function parseInteger(min: number, max: number): (value: string) => number {
  return (value) => {
    // Digits only: "1e2", "0x10" or "-1" are not counts, whatever Number() thinks.
    if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 600) {
    throw new InvalidArgumentError("Expected a number of seconds greater than 0 and at most 600.");
  }
  return seconds;
}

function parseWith<T>(schema: z.ZodType<T>, expected: string): (value: string) => T {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`Expected ${expected}.`);
    return parsed.data;
  };
}

/**
 * A name from a fixed list, case-insensitively (`DeviceConfiguration` is `deviceConfiguration`).
 * An unknown one is refused with the closest known name when it is a plausible typo (edit
 * distance at most a third of its length, at least 2), else with where to find the list.
 */
export function resolveName<T extends string>(value: string, known: readonly T[], what: string, listCommand: string): T {
  const exact = known.find((k) => k === value) ?? known.find((k) => k.toLowerCase() === value.toLowerCase());
  if (exact) return exact;
  const lower = known.map((k) => k.toLowerCase());
  const nearest = closest(value.toLowerCase(), lower);
  const suggestion =
    distance(value.toLowerCase(), nearest) <= Math.max(2, Math.floor(value.length / 3))
      ? known[lower.indexOf(nearest)]
      : undefined;
  throw new InvalidArgumentError(
    `Unknown ${what} "${value}".${suggestion ? ` Did you mean "${suggestion}"?` : ""} ${listCommand}`,
  );
}

const POLICY_TYPE_LIST = "`tenant-inventory policy-types` lists them.";
const resolvePolicyType = (value: string) => resolveName(value, POLICY_TYPE_KEYS, "policy type", POLICY_TYPE_LIST);
const resolveCategory = (value: string) =>
  resolveName(value, CategorySchema.options, "category", `Known: ${CategorySchema.options.join(", ")}.`);
const resolvePlatform = (value: string) =>
  resolveName(value, PlatformSchema.options, "platform", `Known: ${PlatformSchema.options.join(", ")}.`);

/** `a,b` and repeated flags accumulate; every entry is resolved against the domain's list. */
function commaList<T extends string>(resolve: (value: string) => T, what: string) {
  return (value: string, previous: T[] | undefined): T[] => {
    const entries = value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    if (entries.length === 0) throw new InvalidArgumentError(`Expected a comma-separated list of ${what}.`);
    return [...(previous ?? []), ...entries.map(resolve)];
  };
}

const parsePolicyTypes = commaList(resolvePolicyType, "policy types");
const parseCategories = commaList(resolveCategory, "categories");
const parseSelectionHash = parseWith(SelectionHashOrPrefixSchema, "a selection hash, or a prefix of at least 8 of its hex characters (as printed)");
const parseSearch = parseWith(z.string().min(1).max(256), "1 to 256 characters");
const parseCorrelationId = parseWith(
  z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  "1 to 64 characters of A-Z a-z 0-9 . _ -",
);
const parseToken = parseWith(z.string().min(1).max(8_192), "a continuation token from a previous page");
const parseBaselineId = parseWith(BaselineIdSchema, "a baseline id (1 to 64 characters of a-z 0-9 -)");
const parseRunId = parseWith(z.string().min(1).max(128), "a run id (from `sync` or `runs`)");

/** The package version, found from either the source tree or `dist/`. */
function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i += 1) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tenant-inventory" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "0.0.0";
}

// ── the program ──────────────────────────────────────────────────────────────────────────────

interface RawOptions {
  json?: boolean;
  format?: OutputFormat;
  policyTypes?: string[];
  categories?: string[];
  foundations?: boolean;
}

function selectionOf(options: RawOptions): SelectionInput {
  const selection: SelectionInput = {};
  if (options.policyTypes) selection.policyTypes = options.policyTypes as SelectionInput["policyTypes"];
  if (options.categories) selection.categories = options.categories as SelectionInput["categories"];
  if (options.foundations) selection.includeFoundations = true;
  return selection;
}

const selectionOptions = (command: Command, verb: string): Command =>
  command
    .option(
      "--policy-types <keys>",
      `policy types to ${verb}, comma-separated (repeatable)`,
      parsePolicyTypes,
    )
    .option("--categories <names>", `categories to ${verb}, comma-separated (repeatable)`, parseCategories)
    .option("--foundations", "include foundation types (filters, scope tags, roles, templates)");

/** `--format table|json|csv|ndjson` on every listing, with `--json` kept as its shorthand. */
const formatOptions = (command: Command): Command =>
  command
    .addOption(
      new Option("--format <format>", "output: a table, JSON, RFC 4180 CSV with a header row, or NDJSON (one JSON object per line)").choices(
        OUTPUT_FORMATS,
      ),
    )
    .option("--json", "the same as --format json");

/** `--limit` and `--continuation-token` of a paged list, and `--all` where the CLI follows the pages. */
function pageOptions(command: Command, { all }: { all: boolean }): Command {
  command.option(
    "--limit <n>",
    `page size (${LIST_LIMIT.min}-${LIST_LIMIT.max}, default ${LIST_LIMIT.default})`,
    parseInteger(LIST_LIMIT.min, LIST_LIMIT.max),
  );
  if (all) command.option("--all", "follow continuation tokens to the last page");
  return command.option("--continuation-token <token>", "start at this page, from a previous answer", parseToken);
}

function formatOf(o: RawOptions): OutputFormat {
  if (o.json && o.format && o.format !== "json") {
    throw new UsageError(`--json and --format ${o.format} disagree; pass one of them`);
  }
  return o.json ? "json" : (o.format ?? "table");
}

function buildProgram(
  capture: (command: CliCommand, globals: GlobalOptions) => void,
  output: { out: string; err: string },
): Command {
  const globalsOf = (command: Command): GlobalOptions => {
    const o = command.optsWithGlobals<{
      apiUrl?: string;
      key?: string;
      timeout?: number;
      correlationId?: string;
    }>();
    return {
      apiUrl: o.apiUrl,
      key: o.key,
      timeoutSeconds: o.timeout ?? DEFAULT_TIMEOUT_SECONDS,
      correlationId: o.correlationId,
    };
  };

  const program = new Command("tenant-inventory")
    .description(
      "Drive the tenant-inventory API: register tenants, start and watch syncs, read the inventory.",
    )
    .version(packageVersion(), "-V, --version")
    // Usage errors become exceptions (exit 2 in runCli), never process.exit from inside a library.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (output.out += s),
      writeErr: (s) => (output.err += s),
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showHelpAfterError("(add --help for usage)")
    .option(
      "--api-url <url>",
      "API base URL (env TENANT_INVENTORY_API_URL; default http://127.0.0.1:7071/api)",
    )
    .option(
      "--key <functionKey>",
      "function key of a deployed app, sent as x-functions-key (env TENANT_INVENTORY_KEY)",
    )
    .option("--timeout <seconds>", `per-request timeout (default ${DEFAULT_TIMEOUT_SECONDS})`, parseSeconds)
    .option(
      "--correlation-id <id>",
      "x-correlation-id to send (default: a new one per command)",
      parseCorrelationId,
    );

  const tenants = program.command("tenants").description("register and list customer tenants");
  tenants
    .command("add")
    .description("register a tenant, or update its name and enabled flag (keeps its nightly selections)")
    .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
    .requiredOption(
      "--name <displayName>",
      "display name",
      parseWith(z.string().trim().min(1).max(256), "a display name of 1 to 256 characters"),
    )
    .option("--disabled", "register it disabled: syncs are refused until it is enabled")
    .option("--json", "print the tenant as JSON")
    .action((tenantId: string, o: RawOptions & { name: string; disabled?: boolean }, command: Command) => {
      capture(
        { kind: "tenants.add", tenantId, displayName: o.name, enabled: !o.disabled, json: !!o.json },
        globalsOf(command),
      );
    });
  formatOptions(tenants.command("list").description("list registered tenants, by display name")).action(
    (o: RawOptions, command: Command) => capture({ kind: "tenants.list", format: formatOf(o) }, globalsOf(command)),
  );
  tenants
    .command("remove")
    .description("remove a tenant's registration (its inventory and runs stay; add it again to resume)")
    .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
    .action((tenantId: string, _o: RawOptions, command: Command) =>
      capture({ kind: "tenants.remove", tenantId }, globalsOf(command)),
    );
  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    tenants
      .command(verb)
      .description(
        enabled
          ? "enable a registered tenant: syncs and its nightly run are accepted again"
          : "disable a registered tenant: syncs are refused (409 TENANT_DISABLED) and the nightly run skips it",
      )
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
      .action((tenantId: string, _o: RawOptions, command: Command) =>
        capture({ kind: "tenants.setEnabled", tenantId, enabled }, globalsOf(command)),
      );
  }

  selectionOptions(
    program
      .command("sync")
      .description("start an inventory sync of a tenant (every non-foundation type unless narrowed)")
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId),
    "sync",
  )
    .option("--wait", "wait for the run to finish, with live progress; exit 1 if it fails")
    .option(
      "--wait-for-slot <seconds>",
      `let a run refused by a concurrency limit wait up to this long for a slot (0-${WAIT_FOR_SLOT_MAX_SECONDS})`,
      parseInteger(0, WAIT_FOR_SLOT_MAX_SECONDS),
    )
    .option("--json", "print the accepted run (or with --wait the finished run) as JSON")
    .action(
      (tenantId: string, o: RawOptions & { wait?: boolean; waitForSlot?: number }, command: Command) => {
        capture(
          {
            kind: "sync",
            tenantId,
            selection: selectionOf(o),
            waitForSlotSeconds: o.waitForSlot,
            wait: !!o.wait,
            json: !!o.json,
          },
          globalsOf(command),
        );
      },
    );

  const runs = formatOptions(
    program
      .command("runs")
      .description("list a tenant's sync runs, newest first (`runs watch` follows one)")
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId),
  );
  runs
    .command("watch")
    .description(
      "follow a run with live progress until it finishes (again after Ctrl-C); exit code as for sync --wait",
    )
    .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
    .argument("<runId>", "the run id, as `sync` or `runs` printed it", parseRunId)
    .option("--json", "print the finished run as JSON")
    .action((tenantId: string, runId: string, _o: RawOptions, command: Command) =>
      // `runs` has a --json of its own, which commander gives the flag to: read both.
      capture(
        { kind: "runs.watch", tenantId, runId, json: !!command.optsWithGlobals<RawOptions>().json },
        globalsOf(command),
      ),
    );
  formatOptions(
    pageOptions(
      runs
        .command("changes")
        .description("what a run changed relative to the previous completed run of its selection: added, changed, removed, reappeared")
        .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
        .argument("<runId>", "the run id, as `sync` or `runs` printed it", parseRunId)
        .addOption(new Option("--kind <kind>", "only changes of this kind").choices(ChangeKindSchema.options))
        .option("--policy-type <key>", "only this policy type (see `policy-types`)", resolvePolicyType),
      { all: true },
    ),
  ).action(
    (
      tenantId: string,
      runId: string,
      o: RawOptions & { kind?: string; policyType?: string; limit?: number; all?: boolean; continuationToken?: string },
      command: Command,
    ) => {
      // `runs` has --json/--format of its own, which commander may give the flag to: read both.
      const all = { ...command.optsWithGlobals<RawOptions>(), ...o };
      const query: ChangesQuery = { kind: o.kind, policyType: o.policyType, limit: o.limit, continuationToken: o.continuationToken };
      capture({ kind: "runs.changes", tenantId, runId, query, all: !!o.all, format: formatOf(all) }, globalsOf(command));
    },
  );
  pageOptions(
    runs
      .addOption(new Option("--status <status>", "only runs with this status").choices(RunStatusSchema.options))
      .option("--selection-hash <hash>", "only runs of this selection", parseSelectionHash),
    { all: false },
  ).action(
    (
      tenantId: string,
      o: RawOptions & {
        limit?: number;
        status?: string;
        selectionHash?: string;
        continuationToken?: string;
      },
      command: Command,
    ) => {
      const query: RunsQuery = {
        limit: o.limit,
        status: o.status,
        selectionHash: o.selectionHash,
        continuationToken: o.continuationToken,
      };
      capture({ kind: "runs", tenantId, query, format: formatOf(o) }, globalsOf(command));
    },
  );

  const items = selectionOptions(
    pageOptions(
      program
        .command("items")
        .description(
          "list a tenant's inventory items, or with --missing the items the latest completed run did not see",
        )
        .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
        .option("--policy-type <key>", "only this policy type (see `policy-types`)", resolvePolicyType)
        .option("--category <name>", `only this category (${CategorySchema.options.join(", ")})`, resolveCategory)
        .option("--platform <name>", `only this platform (${PlatformSchema.options.join(", ")})`, resolvePlatform)
        .option("--q <text>", "case-insensitive substring of the display name", parseSearch),
      { all: true },
    )
      .option(
        "--missing",
        "report missing items for a selection (--policy-types, --categories, --foundations or --selection-hash)",
      )
      .option("--selection-hash <hash>", "with --missing: the selection by its hash", parseSelectionHash),
    "report as missing (with --missing)",
  );
  formatOptions(items).action(
      (
        tenantId: string,
        o: RawOptions & {
          policyType?: string;
          category?: string;
          platform?: string;
          q?: string;
          limit?: number;
          all?: boolean;
          continuationToken?: string;
          missing?: boolean;
          selectionHash?: string;
        },
        command: Command,
      ) => {
        const format = formatOf(o);
        const selectionFlags = [
          o.policyTypes && "--policy-types",
          o.categories && "--categories",
          o.foundations && "--foundations",
          o.selectionHash && "--selection-hash",
        ].filter((f): f is string => typeof f === "string");
        if (o.missing) {
          // The missing route is not filtered or paged: refuse flags it would silently ignore.
          const listOnly = [
            o.policyType && "--policy-type",
            o.category && "--category",
            o.platform && "--platform",
            o.q !== undefined && "--q",
            o.limit !== undefined && "--limit",
            o.all && "--all",
            o.continuationToken && "--continuation-token",
          ].filter((f): f is string => typeof f === "string");
          if (listOnly.length > 0)
            throw new UsageError(`${listOnly.join(", ")} cannot be combined with --missing`);
          if (o.selectionHash && selectionFlags.length > 1) {
            throw new UsageError(
              "--selection-hash names the selection already; drop --policy-types, --categories and --foundations",
            );
          }
          // No selection named: the API answers for the tenant's most recent completed run (a
          // nightly includes foundations, a default manual sync does not: guessing one here
          // reported "no completed run" right after a successful nightly).
          const query: MissingQuery = o.selectionHash
            ? { selectionHash: o.selectionHash }
            : selectionFlags.length > 0
              ? { selection: selectionOf(o) }
              : { latest: true };
          capture({ kind: "missing", tenantId, query, format }, globalsOf(command));
          return;
        }
        if (selectionFlags.length > 0) {
          throw new UsageError(
            `${selectionFlags.join(", ")} only apply with --missing (to filter items use --policy-type or --category)`,
          );
        }
        const query: ItemsQuery = {
          policyType: o.policyType,
          category: o.category,
          platform: o.platform,
          q: o.q,
          limit: o.limit,
          continuationToken: o.continuationToken,
        };
        capture({ kind: "items", tenantId, query, all: !!o.all, format }, globalsOf(command));
      },
    );

  formatOptions(
    selectionOptions(
      program
        .command("compare")
        .description("compare two tenants' inventories by policy type and name: only left, only right, different, same, ambiguous")
        .argument("<left>", "Entra tenant id (GUID), e.g. the gold tenant", parseTenantId)
        .argument("<right>", "Entra tenant id (GUID)", parseTenantId)
        .option("--all", "also list the items that are the same"),
      "compare (default: every non-foundation type)",
    ),
  ).action((left: string, right: string, o: RawOptions & { all?: boolean }, command: Command) =>
    capture({ kind: "compare", left, right, selection: selectionOf(o), all: !!o.all, format: formatOf(o) }, globalsOf(command)),
  );

  formatOptions(
    program
      .command("drift")
      .description("a tenant's drift against a baseline: missing, extra, changed, matching, and how sure that is")
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
      .option("--baseline <id>", "the baseline (default: the tenant's one assigned baseline)", parseBaselineId)
      .option("--all", "also list the items that match"),
  ).action((tenantId: string, o: RawOptions & { baseline?: string; all?: boolean }, command: Command) =>
    capture({ kind: "drift", tenantId, baselineId: o.baseline, all: !!o.all, format: formatOf(o) }, globalsOf(command)),
  );

  formatOptions(
    program
      .command("item")
      .description(
        "one inventory item with its assignments: by its id (the ID column of `dependencies`, `id` in --json output), " +
          "or by --policy-type and --external-id (the Graph id the items table shows)",
      )
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
      .argument("[itemId]", "the item's id", parseWith(ItemIdSchema, "an item id as the API serves it (e.g. deviceConfiguration.AbC…)"))
      .option("--policy-type <key>", "with --external-id: the item's policy type", resolvePolicyType)
      .option("--external-id <id>", "with --policy-type: the object's Graph id"),
  ).action(
    (tenantId: string, itemId: string | undefined, o: RawOptions & { policyType?: PolicyTypeKey; externalId?: string }, command: Command) => {
      const byGraphId = o.policyType !== undefined || o.externalId !== undefined;
      if (itemId !== undefined && byGraphId) throw new UsageError("give the item id, or --policy-type with --external-id, not both");
      if (itemId === undefined && (o.policyType === undefined || o.externalId === undefined || o.externalId === "")) {
        throw new UsageError("give the item id, or both --policy-type and --external-id");
      }
      // The store's id is a pure function of (policy type, Graph id): the same one the sync computes.
      const id = itemId ?? itemDocumentId(o.policyType as PolicyTypeKey, o.externalId as string);
      capture({ kind: "item", tenantId, itemId: id, format: formatOf(o) }, globalsOf(command));
    },
  );

  formatOptions(
    pageOptions(
      program
        .command("dependencies")
        .description("the items that reference a group (assignment target), an assignment filter or a scope tag")
        .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
        .option("--group <id>", "an Entra group object id (GUID)", parseWith(GroupIdSchema, "an Entra group object id (GUID)"))
        .option("--filter <id>", "an assignment filter id (GUID)", parseWith(DependenciesQuerySchema.shape.filterId.unwrap(), "an assignment filter id (GUID)"))
        .option("--scope-tag <id>", "a scope tag id (digits; 0 is Default)", parseWith(DependenciesQuerySchema.shape.scopeTagId.unwrap(), "a scope tag id (digits, 0 is Default)")),
      { all: true },
    ),
  ).action(
    (
      tenantId: string,
      o: RawOptions & { group?: string; filter?: string; scopeTag?: string; limit?: number; all?: boolean; continuationToken?: string },
      command: Command,
    ) => {
      const given = [o.group && "--group", o.filter && "--filter", o.scopeTag && "--scope-tag"].filter((f): f is string => typeof f === "string");
      if (given.length !== 1) {
        throw new UsageError(
          given.length === 0 ? "give one of --group, --filter, --scope-tag" : `${given.join(", ")}: give only one of them`,
        );
      }
      const query: DependenciesQuery = {
        groupId: o.group,
        filterId: o.filter,
        scopeTagId: o.scopeTag,
        limit: o.limit,
        continuationToken: o.continuationToken,
      };
      capture({ kind: "dependencies", tenantId, query, all: !!o.all, format: formatOf(o) }, globalsOf(command));
    },
  );

  formatOptions(
    program
      .command("coverage")
      .description("one row per policy type: items held, last observation, the last run that enumerated it")
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId),
  ).action((tenantId: string, o: RawOptions, command: Command) =>
    capture({ kind: "coverage", tenantId, format: formatOf(o) }, globalsOf(command)),
  );

  formatOptions(
    program
      .command("portfolio")
      .description("one row per registered tenant, worst first: failed, stale, partial, drift, ok, disabled"),
  ).action((o: RawOptions, command: Command) => capture({ kind: "portfolio", format: formatOf(o) }, globalsOf(command)));

  formatOptions(
    program
      .command("policy-types")
      .description("the catalog of policy types (the names --policy-types and --policy-type take)"),
  ).action((o: RawOptions, command: Command) =>
    capture({ kind: "policyTypes", format: formatOf(o) }, globalsOf(command)),
  );

  return program;
}

/** Parses `argv` (the arguments after the script name). */
export function parseCommandLine(argv: readonly string[]): ParseOutcome {
  const output = { out: "", err: "" };
  let captured: { command: CliCommand; globals: GlobalOptions } | undefined;
  const program = buildProgram((command, globals) => (captured = { command, globals }), output);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander refuses is usage.
      const exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return { kind: "exit", exitCode, stdout: output.out, stderr: output.err };
    }
    if (error instanceof UsageError) {
      return {
        kind: "exit",
        exitCode: ExitCode.usage,
        stdout: output.out,
        stderr: `${output.err}error: ${error.message}\n(add --help for usage)\n`,
      };
    }
    throw error;
  }
  if (!captured)
    return {
      kind: "exit",
      exitCode: ExitCode.usage,
      stdout: output.out,
      stderr: output.err || program.helpInformation(),
    };
  return { kind: "command", ...captured };
}

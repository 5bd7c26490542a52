import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { PlatformSchema } from "../shared/domain/platform";
import { CategorySchema, POLICY_TYPE_KEYS, PolicyTypeKeySchema } from "../shared/domain/policyTypes";
import { RunStatusSchema } from "../shared/domain/run";
import { SelectionHashSchema } from "../shared/domain/selection";
import type { SelectionInput } from "../shared/domain/selection";
// The API's own bounds, so the CLI refuses exactly what the API would.
import { LIST_LIMIT, WAIT_FOR_SLOT_MAX_SECONDS } from "../shared/http/schemas";
import { TenantIdSchema } from "../shared/domain/tenant";
import type { ItemsQuery, MissingQuery, RunsQuery } from "./apiClient";
import { ExitCode, UsageError } from "./exitCodes";

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
  | { kind: "tenants.list"; json: boolean }
  | {
      kind: "sync";
      tenantId: string;
      selection: SelectionInput;
      waitForSlotSeconds?: number;
      wait: boolean;
      json: boolean;
    }
  | { kind: "runs"; tenantId: string; query: RunsQuery; json: boolean }
  | { kind: "items"; tenantId: string; query: ItemsQuery; all: boolean; json: boolean }
  | { kind: "missing"; tenantId: string; query: MissingQuery; json: boolean };

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

/** `a,b` and repeated flags accumulate; every entry is checked against the domain's enum. */
function commaList<T extends string>(schema: z.ZodEnum<Record<string, T>>, what: string) {
  return (value: string, previous: T[] | undefined): T[] => {
    const entries = value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    if (entries.length === 0) throw new InvalidArgumentError(`Expected a comma-separated list of ${what}.`);
    const unknown = entries.filter((v) => !schema.safeParse(v).success);
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `Unknown ${what}: ${unknown.join(", ")}. Known: ${schema.options.join(", ")}.`,
      );
    }
    return [...(previous ?? []), ...(entries as T[])];
  };
}

const parsePolicyTypes = commaList(PolicyTypeKeySchema, "policy types");
const parseCategories = commaList(CategorySchema, "categories");
const parseSelectionHash = parseWith(SelectionHashSchema, "a selection hash (64 lower-case hex characters)");
const parseSearch = parseWith(z.string().min(1).max(256), "1 to 256 characters");
const parseCorrelationId = parseWith(
  z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  "1 to 64 characters of A-Z a-z 0-9 . _ -",
);
const parseToken = parseWith(z.string().min(1).max(8_192), "a continuation token from a previous page");

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
  tenants
    .command("list")
    .description("list registered tenants")
    .option("--json", "print JSON")
    .action((o: RawOptions, command: Command) =>
      capture({ kind: "tenants.list", json: !!o.json }, globalsOf(command)),
    );

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

  program
    .command("runs")
    .description("list a tenant's sync runs, newest first")
    .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
    .option(
      "--limit <n>",
      `page size (${LIST_LIMIT.min}-${LIST_LIMIT.max}, default ${LIST_LIMIT.default})`,
      parseInteger(LIST_LIMIT.min, LIST_LIMIT.max),
    )
    .addOption(new Option("--status <status>", "only runs with this status").choices(RunStatusSchema.options))
    .option("--selection-hash <hash>", "only runs of this selection", parseSelectionHash)
    .option("--continuation-token <token>", "the next page, from a previous answer", parseToken)
    .option("--json", "print the page as JSON")
    .action(
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
        capture({ kind: "runs", tenantId, query, json: !!o.json }, globalsOf(command));
      },
    );

  selectionOptions(
    program
      .command("items")
      .description(
        "list a tenant's inventory items, or with --missing the items the latest completed run did not see",
      )
      .argument("<tenantId>", "Entra tenant id (GUID)", parseTenantId)
      .addOption(new Option("--policy-type <key>", "only this policy type").choices(POLICY_TYPE_KEYS))
      .addOption(new Option("--category <name>", "only this category").choices(CategorySchema.options))
      .addOption(new Option("--platform <name>", "only this platform").choices(PlatformSchema.options))
      .option("--q <text>", "case-insensitive substring of the display name", parseSearch)
      .option(
        "--limit <n>",
        `page size (${LIST_LIMIT.min}-${LIST_LIMIT.max}, default ${LIST_LIMIT.default})`,
        parseInteger(LIST_LIMIT.min, LIST_LIMIT.max),
      )
      .option("--all", "follow continuation tokens to the last page")
      .option("--continuation-token <token>", "start at this page, from a previous answer", parseToken)
      .option(
        "--missing",
        "report missing items for a selection (--policy-types, --categories, --foundations or --selection-hash)",
      )
      .option("--selection-hash <hash>", "with --missing: the selection by its hash", parseSelectionHash),
    "report as missing (with --missing)",
  )
    .option("--json", "print JSON")
    .action(
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
        const json = !!o.json;
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
          const query: MissingQuery = o.selectionHash
            ? { selectionHash: o.selectionHash }
            : { selection: selectionOf(o) };
          capture({ kind: "missing", tenantId, query, json }, globalsOf(command));
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
        capture({ kind: "items", tenantId, query, all: !!o.all, json }, globalsOf(command));
      },
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

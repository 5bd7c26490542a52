import { AsyncLocalStorage } from "node:async_hooks";
import { redactSecrets } from "../domain/redaction";
import { EVENT_SCHEMAS } from "./events";
import type { EventName, EventProperties, FlatValue } from "./events";

/**
 * Structured logging for Application Insights.
 *
 * How it lands in Azure: the Node.js v4 programming model formats everything passed to
 * `InvocationContext.log/info/warn/error` into ONE string (util.format) and hands it to the
 * Functions host, which stores it as a `traces` row (category Function.<name>.User); extra
 * arguments do not become customDimensions. So every event is written as one line
 * `"<EventName> <json>"` — the JSON carries the flat properties, and KQL reads them with
 * `parse_json(substring(message, indexof(message, " ") + 1))` (infra/monitoring/). A sink that
 * forwards `properties` as attributes (OpenTelemetry with the Azure Monitor exporter, see
 * docs/deploy.md) additionally gets them as customDimensions; the message stays the same, so the
 * queries work either way.
 *
 * Nothing secret leaves: every string value and every message passes through `redactSecrets`
 * (shared/domain/redaction.ts), and values of keys that name a credential are dropped whole.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogProperties = Record<string, unknown>;
export type FlatProperties = Record<string, FlatValue>;

/** Receives one fully redacted record. Must not throw (a failing sink never fails a sync). */
export type LogSink = (level: LogLevel, message: string, properties: FlatProperties) => void;

export interface StructuredLogger {
  /** One structured event of the catalog (events.ts). Never throws unless created with `strict`. */
  event<N extends EventName>(name: N, properties: EventProperties<N>): void;
  debug(message: string, properties?: LogProperties): void;
  info(message: string, properties?: LogProperties): void;
  warn(message: string, properties?: LogProperties): void;
  error(message: string, properties?: LogProperties): void;
  /** A logger whose records all carry `properties` too (e.g. invocationId), event fields win. */
  child(properties: LogProperties): StructuredLogger;
}

export interface StructuredLoggerOptions {
  /** Properties added to free-form records (info/warn/error); events keep their own fields. */
  base?: LogProperties;
  /**
   * Throw when event properties do not match the catalog. For tests; in production an invalid
   * event is still written (redacted) together with a warning naming the invalid fields.
   */
  strict?: boolean;
  /**
   * Orchestrator code replays: pass `() => context.df.isReplaying` so a transition logged from an
   * orchestrator is written once, not once per replay.
   */
  isReplaying?: () => boolean;
}

/** Marker replacing a value whose key names a credential. */
export const REDACTED_VALUE = "[REDACTED]";
/** String values are capped so one record stays far below the 32 KiB trace message limit. */
export const MAX_VALUE_LENGTH = 1_024;
export const EVENT_INVALID_MESSAGE = "ObservabilityEventInvalid";

const SECRET_KEY = /(secret|password|passwd|pwd|token|authorization|assertion|credential|connectionstring|accountkey|apikey|api_key|sas|signature|privatekey|private_key|^key$)/i;

/** `"<EventName> <json>"`: the one line written per event (KQL splits at the first space). */
export function formatEventLine(name: string, properties: FlatProperties): string {
  return `${name} ${JSON.stringify(properties)}`;
}

function capped(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

function flatValue(value: unknown): FlatValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === "string") return capped(redactSecrets(value));
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error) return capped(redactSecrets(`${value.name}: ${value.message}`));
  try {
    return capped(redactSecrets(JSON.stringify(value) ?? String(value)));
  } catch {
    return capped(redactSecrets(String(value)));
  }
}

/** Flattens and redacts properties: the only path by which a value reaches a sink. */
export function sanitizeProperties(properties: LogProperties | undefined): FlatProperties {
  const out: FlatProperties = {};
  if (!properties) return out;
  for (const [key, value] of Object.entries(properties)) {
    if (SECRET_KEY.test(key)) {
      if (value !== undefined) out[key] = REDACTED_VALUE;
      continue;
    }
    const flat = flatValue(value);
    if (flat !== undefined) out[key] = flat;
  }
  return out;
}

export function createStructuredLogger(sink: LogSink, options: StructuredLoggerOptions = {}): StructuredLogger {
  const base = options.base ?? {};
  const replaying = options.isReplaying ?? (() => false);

  const write = (level: LogLevel, message: string, properties: FlatProperties): void => {
    if (replaying()) return;
    try {
      sink(level, message, properties);
    } catch {
      // A broken sink must never fail the work being logged.
    }
  };

  const free = (level: LogLevel) => (message: string, properties?: LogProperties) => {
    const flat = sanitizeProperties({ ...base, ...properties });
    write(level, capped(redactSecrets(message)), flat);
  };

  return {
    event(name, properties) {
      const schema = EVENT_SCHEMAS[name];
      const parsed = schema.safeParse(properties);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(event)"}: ${i.message}`);
        if (options.strict) throw new Error(`Invalid ${name} event: ${problems.join("; ")}`);
        const warning = sanitizeProperties({ eventName: name, problems: problems.join("; ") });
        write("warn", formatEventLine(EVENT_INVALID_MESSAGE, warning), warning);
      }
      const fields = sanitizeProperties(parsed.success ? (parsed.data as LogProperties) : (properties as LogProperties));
      const flat: FlatProperties = { eventName: name, ...fields };
      write("info", formatEventLine(name, flat), flat);
    },
    debug: free("debug"),
    info: free("info"),
    warn: free("warn"),
    error: free("error"),
    child(properties) {
      return createStructuredLogger(sink, { ...options, base: { ...base, ...properties } });
    },
  };
}

/** The log methods of the Functions `InvocationContext` (structural: shared/ never imports @azure/functions). */
export interface InvocationLogMethods {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Sink over the Functions `InvocationContext`: exactly one string argument per record, so the
 * trace message is `"<EventName> <json>"` for events and `"<message> <json>"` (or just the
 * message) for free-form records — never util.format's inspect output.
 */
export function invocationContextSink(context: InvocationLogMethods): LogSink {
  return (level, message, properties) => {
    const text =
      isEventLine(message) || Object.keys(properties).length === 0 ? message : `${message} ${JSON.stringify(properties)}`;
    context[level](text);
  };
}

const currentInvocation = new AsyncLocalStorage<{ sink: LogSink; invocationId: string }>();

/**
 * Runs `work` with the records of a process-wide logger (see `invocationScopedSink`) going to
 * this invocation, so services built once per process still log correlated with the function
 * execution in Application Insights.
 */
export function inInvocation<T>(context: InvocationLogMethods & { invocationId: string }, work: () => T): T {
  return currentInvocation.run({ sink: invocationContextSink(context), invocationId: context.invocationId }, work);
}

/** Writes to the current invocation's context (free-form records gain its invocationId), else to `fallback`. */
export function invocationScopedSink(fallback: LogSink): LogSink {
  return (level, message, properties) => {
    const scope = currentInvocation.getStore();
    if (!scope) return fallback(level, message, properties);
    scope.sink(level, message, isEventLine(message) ? properties : { invocationId: scope.invocationId, ...properties });
  };
}

function isEventLine(message: string): boolean {
  const space = message.indexOf(" ");
  const name = space < 0 ? message : message.slice(0, space);
  return name in EVENT_SCHEMAS || name === EVENT_INVALID_MESSAGE;
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  properties: FlatProperties;
}

export interface MemoryLogSink {
  sink: LogSink;
  records: LogRecord[];
  /** Event records (optionally of one name), with their properties. */
  events(name?: EventName): LogRecord[];
  clear(): void;
}

/** Keeps records in memory, for tests and the local runtime. */
export function createMemoryLogSink(): MemoryLogSink {
  const records: LogRecord[] = [];
  return {
    sink: (level, message, properties) => {
      records.push({ level, message, properties: { ...properties } });
    },
    records,
    events(name) {
      return records.filter((r) => {
        const eventName = r.properties["eventName"];
        return typeof eventName === "string" && r.message.startsWith(`${eventName} `) && (!name || eventName === name);
      });
    },
    clear() {
      records.length = 0;
    },
  };
}

/** A logger that writes nothing (default where no logger is wired). */
export const noopLogger: StructuredLogger = createStructuredLogger(() => undefined);

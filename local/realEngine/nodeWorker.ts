/**
 * The part of the Azure Functions Node.js worker the real-engine host needs: load the app the way
 * the worker does and invoke a registered function with RPC-shaped input.
 *
 * How the worker does it (and test/unit/registrations.test.ts, which checks the registrations):
 * before loading the app it makes the built-in module `@azure/functions-core` resolvable by
 * wrapping `Module.prototype.require`; `@azure/functions` then calls
 * `coreApi.setProgrammingModel(model)` once and `coreApi.registerFunction(metadata, callback)` for
 * every `app.*` / `df.app.*` call. To invoke, the worker hands the programming model a core
 * invocation context (`inputData` as RPC typed data), and the model's InvocationModel turns it into
 * the handler's arguments (`fromRpcTypedData`), calls the handler and converts the result
 * (`toRpcTypedData`) — so the handlers get exactly the values they get in Azure.
 */
import { randomUUID } from "node:crypto";
import Module from "node:module";

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  int?: number | null;
  double?: number | null;
  bytes?: Uint8Array | null;
}

interface RpcBindingInfo {
  type?: string | null;
  direction?: string | null;
}

export interface RegisteredFunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
}

type FunctionCallback = (...args: unknown[]) => unknown;

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: RpcTypedData | null }>;
}

interface ProgrammingModel {
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

export type WorkerLog = (level: string, category: string, message: string) => void;

export interface LoadedApp {
  functions: Map<string, { metadata: RegisteredFunctionMetadata; callback: FunctionCallback }>;
  /** The trigger type of each function (`orchestrationTrigger`, `httpTrigger`, …). */
  triggerOf(name: string): string | undefined;
  /**
   * Invokes one function with its trigger value as RPC typed data (plus extra inputs by binding
   * name, e.g. a durable client) and returns the RPC return value, as the worker would.
   */
  invoke(name: string, trigger: RpcTypedData, extraInputs?: Record<string, RpcTypedData>): Promise<RpcTypedData | null | undefined>;
}

const TRIGGER_SUFFIX = "trigger";

/** Loads the app's modules with a capturing `@azure/functions-core`; call once per process. */
export function loadApp(modules: string[], log: WorkerLog): LoadedApp {
  const functions: LoadedApp["functions"] = new Map();
  let programmingModel: ProgrammingModel | undefined;
  class Disposable {
    constructor(private readonly onDispose?: () => void) {}
    dispose() {
      this.onDispose?.();
    }
  }
  const coreApi = {
    version: "real-engine-bridge",
    hostVersion: "4.1000.0",
    registerHook: () => new Disposable(),
    setProgrammingModel: (model: ProgrammingModel) => {
      programmingModel = model;
    },
    getProgrammingModel: () => programmingModel,
    log: (level: string, category: string, message: string) => log(level, category, message),
    registerFunction: (metadata: RegisteredFunctionMetadata, callback: FunctionCallback) => {
      functions.set(metadata.name, { metadata, callback });
      return new Disposable(() => functions.delete(metadata.name));
    },
    Disposable,
  };
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      return args[0] === "@azure/functions-core" ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });
  for (const path of modules) require(path);

  const triggerOf = (name: string) =>
    Object.values(functions.get(name)?.metadata.bindings ?? {}).find((b) => b.type?.toLowerCase().endsWith(TRIGGER_SUFFIX))?.type ?? undefined;

  return {
    functions,
    triggerOf,
    async invoke(name, trigger, extraInputs = {}) {
      const fn = functions.get(name);
      if (!fn) throw new Error(`no function named ${name} is registered`);
      if (!programmingModel) throw new Error("the app registered no programming model");
      const [triggerName] = Object.entries(fn.metadata.bindings).find(([, b]) => b.type?.toLowerCase().endsWith(TRIGGER_SUFFIX)) ?? [];
      if (!triggerName) throw new Error(`${name} has no trigger binding`);
      const invocationId = randomUUID();
      const coreCtx = {
        invocationId,
        state: undefined,
        metadata: fn.metadata,
        request: {
          invocationId,
          functionId: name,
          inputData: [
            { name: triggerName, data: trigger },
            ...Object.entries(extraInputs).map(([bindingName, data]) => ({ name: bindingName, data })),
          ],
          triggerMetadata: {},
        },
        log: (level: string, category: string, message: string) => log(level, category, `${name}: ${message}`),
      };
      const model = programmingModel.getInvocationModel(coreCtx);
      const { context, inputs } = await model.getArguments();
      const result = await model.invokeFunction(context, inputs, fn.callback);
      const response = await model.getResponse(context, result);
      return response.returnValue;
    },
  };
}

/** RPC typed data → the JSON text the host would hand the extension (absent → empty text). */
export function typedDataToJson(data: RpcTypedData | null | undefined): string {
  if (!data) return "";
  if (data.json !== undefined && data.json !== null) return data.json;
  if (data.string !== undefined && data.string !== null) return JSON.stringify(data.string);
  if (data.int !== undefined && data.int !== null) return String(data.int);
  if (data.double !== undefined && data.double !== null) return String(data.double);
  throw new Error("a Durable function returned a value the host cannot pass on as JSON (bytes?)");
}

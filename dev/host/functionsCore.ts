/**
 * Supplies the `@azure/functions-core` module that `@azure/functions` registers into (the real
 * Node worker provides it in Azure). Installing it before the app loads lets `src/` register
 * exactly as it does in Azure, with no test-only code paths.
 */
import Module = require("node:module");

export interface BindingMetadata {
  name: string;
  type: string;
  direction: "in" | "out";
  route?: string;
  methods?: string[];
  authLevel?: string;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: BindingMetadata[];
  trigger: BindingMetadata;
  // The user's handler as @azure/functions passes it: (triggerInput, InvocationContext) => result.
  handler: (...args: unknown[]) => unknown;
}

export type LogSink = (level: string, category: string, message: string) => void;

const registry = new Map<string, RegisteredFunction>();
let logSink: LogSink = () => undefined;

const coreApi = {
  version: "dev-host",
  setProgrammingModel(_model: unknown): void {
    // The dev host builds InvocationContext itself; the model object is not needed.
  },
  getProgrammingModel(): unknown {
    return undefined;
  },
  registerFunction(metadata: { name: string; bindings: Record<string, Omit<BindingMetadata, "name">> }, handler: (...args: unknown[]) => unknown) {
    const bindings = Object.entries(metadata.bindings).map(([name, b]) => ({ ...b, name }) as BindingMetadata);
    const trigger = bindings.find((b) => /trigger$/i.test(b.type));
    if (!trigger) throw new Error(`Function ${metadata.name} has no trigger binding.`);
    if (registry.has(metadata.name)) throw new Error(`Function ${metadata.name} is registered twice.`);
    registry.set(metadata.name, { name: metadata.name, bindings, trigger, handler });
    return { dispose: () => registry.delete(metadata.name) };
  },
  registerHook(_name: string, _callback: unknown) {
    return { dispose: () => undefined };
  },
  log(level: string, category: string, message: string): void {
    logSink(level, category, message);
  },
  Disposable: class {
    constructor(private readonly callOnDispose: () => void) {}
    dispose(): void {
      this.callOnDispose();
    }
  },
};

let installed = false;

/** Makes `require("@azure/functions-core")` resolve to this host. Idempotent. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const originalLoad = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === "@azure/functions-core") return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
}

export function setLogSink(sink: LogSink): void {
  logSink = sink;
}

export function registeredFunctions(): ReadonlyMap<string, RegisteredFunction> {
  return registry;
}

/** Loads the app entry (registrations run once per process, as in a worker). */
export function loadApp(entryPath: string): ReadonlyMap<string, RegisteredFunction> {
  installFunctionsCore();
  require(entryPath);
  return registry;
}

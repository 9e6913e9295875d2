/**
 * Durable entities as the Durable extension runs them for an out-of-process worker (the legacy
 * entity scheduler, `TaskEntityShim`): entity ids, the request and response messages that travel
 * as events, the batch the entity function receives and the result it returns, and the checks on
 * client signals. Pure. Sources: docs/azure-behaviour.md#entities.
 */
import type { EntityRecordState } from "./instanceStore";

export interface EntityRef {
  /** Lower case, as the extension's `EntityId` stores it. */
  name: string;
  key: string;
}

/** Extension `EntityId`: the name is lower-cased; the instance id is `@<name>@<key>`. */
export function entityRef(name: string, key: string): EntityRef {
  return { name: name.toLowerCase(), key };
}

export function schedulerId(entity: EntityRef): string {
  return `@${entity.name}@${entity.key}`;
}

/** Extension `EntityId.GetEntityIdFromSchedulerId`. */
export function entityFromSchedulerId(id: string): EntityRef {
  const at = id.indexOf("@", 1);
  return entityRef(id.substring(1, at), id.substring(at + 1));
}

/** durabletask `Entities.IsEntityInstance`. */
export const isEntityInstanceId = (instanceId: string): boolean => instanceId.startsWith("@");

/**
 * Extension `RequestMessage` as it serializes (property order kept; `signal`, `input`, `parent`,
 * `parentExecution` left out when empty). `input` is the operation's input as JSON text.
 */
export interface RequestMessage {
  op: string;
  signal?: boolean;
  input?: string;
  id: string;
  parent?: string;
  parentExecution?: string;
  Timestamp: string;
  Predecessor: string;
}

/** .NET's `DateTime.MinValue`, as the message sorter's fields read when unset. */
const dotnetMinDate = "0001-01-01T00:00:00";

export function requestMessage(spec: {
  op: string;
  signal: boolean;
  input: string | undefined;
  id: string;
  parent?: string;
  parentExecution?: string;
  timestamp?: string;
}): RequestMessage {
  return {
    op: spec.op,
    ...(spec.signal ? { signal: true } : {}),
    ...(spec.input !== undefined ? { input: spec.input } : {}),
    id: spec.id,
    ...(spec.parent !== undefined ? { parent: spec.parent } : {}),
    ...(spec.parentExecution !== undefined ? { parentExecution: spec.parentExecution } : {}),
    Timestamp: spec.timestamp ?? dotnetMinDate,
    Predecessor: dotnetMinDate,
  };
}

/**
 * The input of an entity call or signal from an orchestrator: the extension serializes the action's
 * input and leaves it out when null (`CallDurableTaskFunctionAsync`: `if (input != null) request.SetInput(...)`).
 */
export function operationInput(input: unknown): string | undefined {
  return input === undefined || input === null ? undefined : JSON.stringify(input);
}

/** The event name request messages travel under (extension `EntityMessageEventNames.RequestMessageEventName`). */
export const requestEventName = "op";

/** Extension `ResponseMessage`: `result` (JSON text or null) and `exceptionType` only on failure. */
export function responseMessage(result: string | null | undefined, isError: boolean): string {
  return JSON.stringify({ result: result ?? null, ...(isError ? { exceptionType: "Error" } : {}) });
}

/** What the extension passes the entity function (`EntityTriggerAttributeBindingProvider.EntityContextToString`). */
export function entityTrigger(entity: EntityRef, state: EntityRecordState | undefined, batch: RequestMessage[]): unknown {
  return {
    self: { name: entity.name, key: entity.key },
    exists: state?.exists ?? false,
    state: state?.state ?? null,
    batch: batch.map((r) => ({ name: r.op, input: r.input ?? null, isSignal: r.signal === true })),
  };
}

/** What the entity function returns (durable-functions `EntityState`; extension `TaskEntityShim.OutOfProcResult`). */
export interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string | null;
  results: Array<{ isError: boolean; result?: string | null; duration?: number }>;
  signals: Array<{ target: { name: string; key: string }; name: string; input?: string | null }>;
}

/**
 * Checks the shape the extension reads; it needs one result per operation of the batch
 * ("The length of this list must always match the size of the batch").
 */
export function batchResultProblem(value: unknown, batchSize: number): string | undefined {
  const r = value as Partial<EntityBatchResult> | null;
  if (!r || typeof r !== "object" || !Array.isArray(r.results) || !Array.isArray(r.signals))
    return "Out of proc orchestrators must return a valid JSON schema.";
  if (r.results.length < batchSize) return `The entity returned ${r.results.length} results for a batch of ${batchSize} operations.`;
  return undefined;
}

/**
 * Extension `DurableClient.SignalEntityAsyncInternal`: keys may not hold `/`, `\`, `#`, `?` or
 * control characters (its ArgumentException passes message and parameter name the other way round).
 */
export function entityKeyProblem(key: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key) ? "entityKey (Parameter 'Entity keys must not contain /, \\, #, ?, or control characters.')" : undefined;
}

/**
 * Extension `DurableTaskExtension.GetInvalidEntityFunctionMessage`. It tests whether any
 * orchestrator is registered (not any entity) before listing the entities; kept as it is.
 */
export function unknownEntityMessage(name: string, knownEntities: string[], knownOrchestrators: string[]): string {
  const prefix = `The function '${name}' doesn't exist, is disabled, or is not an entity function. Additional info: `;
  return knownOrchestrators.length > 0
    ? `${prefix}The following are the known entity functions: '${knownEntities.join("', '")}'.`
    : `${prefix}No entity functions are currently registered!`;
}

/** How many processed request ids an entity remembers to drop a redelivered request. */
export const rememberedRequestIds = 1000;

/**
 * An entity id for an orchestrator's callEntity/signalEntity, made from its plain fields: the
 * orchestrator imports only types from durable-functions, and the context reads name, key and the
 * `@name@key` instance id.
 */
export function entityRef(name: string, key: string): never {
  return { name, key, toString: () => `@${name.toLowerCase()}@${key}` } as never;
}

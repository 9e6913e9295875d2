/**
 * Reading JSON we did not write (service answers, stored orchestration data, request bodies):
 * guards and lookups that never throw. Keys match without case when the exact key is absent, as
 * Azure's services spell them either way.
 */
export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value as a plain object, or undefined. */
export function asObject(value: unknown): JsonObject | undefined {
  return isPlainObject(value) ? value : undefined;
}

/** `obj[name]`, matching the key without case when the exact key is absent. */
export function getField(obj: JsonObject | undefined, name: string): unknown {
  if (!obj) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : obj[key];
}

/** A non-blank string field, trimmed. */
export function getString(obj: JsonObject | undefined, name: string): string | undefined {
  const value = getField(obj, name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Follows a path of keys (each matched as getField does). */
export function getPath(obj: JsonObject | undefined, ...path: string[]): unknown {
  let current: unknown = obj;
  for (const name of path) {
    current = getField(asObject(current), name);
    if (current === undefined) return undefined;
  }
  return current;
}

/** JSON.parse that returns undefined instead of throwing (and for blank text). */
export function parseJson(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

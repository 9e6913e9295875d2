/**
 * The operator's function key, held in this page's memory only: never in storage, a cookie, the
 * URL or the DOM. A reload forgets it (on purpose). Behind Easy Auth the session cookie signs the
 * operator in, but Functions still wants the key on the API's routes
 * (docs/azure-behaviour.md#function-keys-and-easy-auth).
 */
let key: string | null = null;
const listeners = new Set<() => void>();

export const functionKey = {
  get: (): string | null => key,
  set(value: string | null): void {
    key = value === null || value.trim() === "" ? null : value.trim();
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

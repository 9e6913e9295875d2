/**
 * Asks for a function key when the API answers 401 (or 403 for a wrong one). The key goes into
 * memory only (functionKey.ts); the field is emptied at once.
 */
import { useRef } from "preact/hooks";
import { functionKey } from "../functionKey";

export function KeyPrompt({ status }: { status: number }) {
  const input = useRef<HTMLInputElement>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const value = input.current?.value ?? "";
    if (input.current) input.current.value = "";
    if (value.trim() !== "") functionKey.set(value);
  };
  return (
    <section class="panel key-prompt" aria-labelledby="key-title">
      <h2 id="key-title">{status === 403 ? "This key was refused" : "A function key is needed"}</h2>
      <p>
        The API behind this console checks a function key. Paste one (Function App → App keys, or the function's keys). It is kept in this page's memory only
        and sent as the <code>x-functions-key</code> header: never stored, never put in a URL, forgotten when you reload.
      </p>
      <form onSubmit={submit} autocomplete="off">
        <label for="function-key">Function key</label>
        <input id="function-key" ref={input} type="password" autocomplete="off" spellcheck={false} required />
        <button type="submit" class="button primary">
          Use this key
        </button>
      </form>
    </section>
  );
}

/**
 * Reads something from the API, and reads it again while `live` says so: quickly while it changes,
 * backing off while it does not or while reads fail (refresh.ts), paused while the tab is hidden.
 * A key given or forgotten reads again at once.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { KeyRequiredError } from "./api";
import { functionKey } from "./functionKey";
import { nextRefreshDelay, type RefreshOutcome } from "./refresh";

export interface Live<T> {
  data: T | null;
  error: Error | null;
  /** The API wants a key (401) or refused this one (403). */
  keyStatus: number | null;
  readAt: number | null;
  /** When the next read is due (ms since the epoch), or null when none is planned. */
  nextAt: number | null;
  reload(): void;
}

type LiveState<T> = Omit<Live<T>, "reload"> & { forKey: string };

export function useLive<T>(load: () => Promise<T>, key: string, live: (data: T | null) => boolean): Live<T> {
  const empty = (forKey: string): LiveState<T> => ({ data: null, error: null, keyStatus: null, readAt: null, nextAt: null, forKey });
  const [state, setState] = useState<LiveState<T>>(() => empty(key));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const delay = useRef<number | null>(null);
  const lastText = useRef<string | null>(null);
  const generation = useRef(0);

  const read = useCallback(async () => {
    const mine = ++generation.current;
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    let outcome: RefreshOutcome;
    let data: T | null = null;
    try {
      data = await load();
      if (mine !== generation.current) return;
      const text = JSON.stringify(data);
      outcome = text === lastText.current ? "unchanged" : "changed";
      lastText.current = text;
      setState({ data, error: null, keyStatus: null, readAt: Date.now(), nextAt: null, forKey: key });
    } catch (err) {
      if (mine !== generation.current) return;
      if (err instanceof KeyRequiredError) {
        setState((s) => ({ ...s, keyStatus: err.status, nextAt: null }));
        return; // read again when a key is given
      }
      outcome = "failed";
      setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)) }));
    }
    const current = outcome === "failed" ? null : data;
    if (!live(current ?? null) && outcome !== "failed") return;
    delay.current = nextRefreshDelay(delay.current, outcome);
    const wait = delay.current;
    setState((s) => ({ ...s, nextAt: Date.now() + wait }));
    timer.current = setTimeout(() => {
      if (document.hidden) return; // the visibility listener reads again when the tab is back
      void read();
    }, wait);
  }, [key]);

  useEffect(() => {
    lastText.current = null;
    delay.current = null;
    setState(empty(key));
    void read();
    // Back on the tab: read at once (a read that came due while it was hidden was skipped).
    const onTabBack = () => {
      if (!document.hidden) void read();
    };
    document.addEventListener("visibilitychange", onTabBack);
    const unsubscribe = functionKey.subscribe(() => void read());
    return () => {
      generation.current++;
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      document.removeEventListener("visibilitychange", onTabBack);
      unsubscribe();
    };
  }, [read]);

  // Until the effect above has run for a new key, the state is the previous key's: show none of it.
  const { forKey, ...shown } = state.forKey === key ? state : empty(key);
  void forKey;
  return { ...shown, reload: () => void read() };
}

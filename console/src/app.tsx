/** The console's frame: header, the key prompt when the API asks for one, and the page the URL's fragment names. */
import { useEffect, useState } from "preact/hooks";
import { KeyPrompt } from "./components/KeyPrompt";
import { functionKey } from "./functionKey";
import { BatchPage } from "./pages/BatchPage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { formatRoute, parseRoute, type Route } from "./route";
import { KeyRequiredError } from "./api";

export interface AppProps {
  /** SCORING_CONSOLE_READ_ONLY: no Cancel or Rerun anywhere. */
  readOnly: boolean;
  /** A bad console setting, said plainly. */
  settingsProblem: string | null;
}

export function App({ readOnly, settingsProblem }: AppProps) {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [hasKey, setHasKey] = useState(functionKey.get() !== null);
  const [keyStatus, setKeyStatus] = useState<number | null>(null);

  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(location.hash));
      document.getElementById("main")?.focus();
    };
    window.addEventListener("hashchange", onHash);
    const unsubscribe = functionKey.subscribe(() => {
      setHasKey(functionKey.get() !== null);
      setKeyStatus(null);
    });
    // A page's read that needs a key says so through this event (see useLive).
    const onKeyNeeded = (e: Event) => setKeyStatus((e as CustomEvent<number>).detail);
    window.addEventListener(KeyRequiredError.eventName, onKeyNeeded);
    return () => {
      window.removeEventListener("hashchange", onHash);
      window.removeEventListener(KeyRequiredError.eventName, onKeyNeeded);
      unsubscribe();
    };
  }, []);

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/runs">
          Scoring runs
        </a>
        {readOnly && <span class="badge badge-readonly">Read-only</span>}
        <OpenById />
        <span class="key-state">
          {hasKey ? (
            <>
              Key in memory{" "}
              <button type="button" class="button small" onClick={() => functionKey.set(null)}>
                Forget key
              </button>
            </>
          ) : (
            "No key in memory"
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {settingsProblem && (
          <p class="panel error-panel" role="alert">
            {settingsProblem}
          </p>
        )}
        {keyStatus !== null && <KeyPrompt status={keyStatus} />}
        {route.page === "runs" && <RunsPage filter={route.filter} token={route.token} />}
        {route.page === "run" && <RunPage id={route.id} readOnly={readOnly} />}
        {route.page === "batch" && <BatchPage id={route.id} token={route.token} />}
      </main>
    </>
  );
}

/** Jump to a run or a batch by its id. */
function OpenById() {
  return (
    <form
      class="open-by-id"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const input = e.currentTarget.elements.namedItem("open-id") as HTMLInputElement;
        const value = input.value.trim();
        if (value === "") return;
        input.value = "";
        location.hash = /^batch-[A-Za-z0-9]+$/.test(value) ? formatRoute({ page: "batch", id: value, token: null }) : formatRoute({ page: "run", id: value });
      }}
    >
      <label for="open-id">Run or batch id</label>
      <input id="open-id" name="open-id" type="search" autocomplete="off" spellcheck={false} />
      <button type="submit" class="button small">
        Open
      </button>
    </form>
  );
}

/** The runs, newest first: filters (status, endpoint, time) in the URL, pages, a live refresh that backs off. */
import { useState } from "preact/hooks";
import { api } from "../api";
import { LiveStatus } from "../components/LiveStatus";
import { StatusBadge } from "../components/StatusBadge";
import { batchOfRun, endpointName, formatAge, formatDuration, formatTime, isEnded, runDurationMs } from "../format";
import { formatRoute, listQuery, type RunFilter, runStatuses, type Since, sinceChoices } from "../route";
import type { RunPage } from "../types";
import { useLive } from "../useLive";
import { ErrorPanel } from "./ErrorPanel";

const pageSize = 25;

export function RunsPage({ filter, token }: { filter: RunFilter; token: string | null }) {
  const [live, setLive] = useState(true);
  const query = (now: number) => listQuery(filter, token, pageSize, now);
  const runs = useLive<RunPage>(
    () => api.listRuns(query(Date.now())),
    `${query(0)}|${live}`,
    () => live,
  );
  const go = (next: RunFilter, page: string | null = null) => {
    location.hash = formatRoute({ page: "runs", filter: next, token: page });
  };
  const toggleStatus = (status: RunFilter["statuses"][number], on: boolean) =>
    go({ ...filter, statuses: on ? [...filter.statuses, status] : filter.statuses.filter((s) => s !== status) });
  const now = runs.readAt ?? Date.now();

  return (
    <>
      <h1>Scoring runs</h1>
      <form
        class="filters"
        aria-label="Filter runs"
        onSubmit={(e) => {
          e.preventDefault();
          const value = (e.currentTarget.elements.namedItem("endpoint") as HTMLInputElement).value;
          go({ ...filter, endpoint: value.trim() });
        }}
      >
        <fieldset>
          <legend>Status</legend>
          {runStatuses.map((status) => (
            <label key={status} class="check">
              <input
                type="checkbox"
                name="status"
                value={status}
                checked={filter.statuses.includes(status)}
                onChange={(e) => toggleStatus(status, (e.currentTarget as HTMLInputElement).checked)}
              />
              {status}
            </label>
          ))}
        </fieldset>
        <p>
          <label for="filter-endpoint">Endpoint (name or scoring URI)</label>
          <input id="filter-endpoint" key={filter.endpoint} name="endpoint" type="search" defaultValue={filter.endpoint} maxLength={500} />
        </p>
        <p>
          <label for="filter-since">Created in</label>
          <select id="filter-since" value={filter.since} onChange={(e) => go({ ...filter, since: (e.currentTarget as HTMLSelectElement).value as Since })}>
            {Object.entries(sinceChoices).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </p>
        <p class="filter-actions">
          <button type="submit" class="button primary">
            Apply
          </button>
          <a class="button" href={formatRoute({ page: "runs", filter: { statuses: [], endpoint: "", since: "" }, token: null })}>
            Clear filters
          </a>
        </p>
      </form>

      <div class="toolbar">
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive((e.currentTarget as HTMLInputElement).checked)} />
          Live refresh
        </label>
        <LiveStatus readAt={runs.readAt} nextAt={live ? runs.nextAt : null} onRefresh={runs.reload} />
      </div>

      {runs.error && <ErrorPanel error={runs.error} />}
      {runs.data && (
        <>
          <table class="runs">
            <caption>
              {runs.data.value.length === 0 ? "No runs match these filters." : token ? "Runs, newest first (a later page)" : "Runs, newest first"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Deployment</th>
                <th scope="col">Correlation id</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.value.map((run) => {
                const batch = batchOfRun(run.id);
                return (
                  <tr key={run.id} data-run-id={run.id}>
                    <th scope="row">
                      <a href={formatRoute({ page: "run", id: run.id })}>{run.id}</a>
                      {batch && (
                        <span class="sub">
                          {" "}
                          in <a href={formatRoute({ page: "batch", id: batch, token: null })}>its batch</a>
                        </span>
                      )}
                    </th>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td title={run.request?.endpointUri ?? ""}>{endpointName(run.request?.endpointUri)}</td>
                    <td>{run.request?.deployment ?? "default"}</td>
                    <td>{run.correlationId ?? "–"}</td>
                    <td title={formatTime(run.createdAt)}>{formatAge(run.createdAt, now)}</td>
                    <td>
                      {formatDuration(runDurationMs(run, now))}
                      {isEnded(run.status) ? "" : " so far"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {token && (
              <a class="button" href={formatRoute({ page: "runs", filter, token: null })}>
                First page
              </a>
            )}
            {runs.data.continuationToken && (
              <a class="button" href={formatRoute({ page: "runs", filter, token: runs.data.continuationToken })}>
                Next page
              </a>
            )}
          </nav>
        </>
      )}
    </>
  );
}

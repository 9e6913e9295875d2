/** A batch: counts by status, a progress bar, its children (paged), live while it runs. */
import { api } from "../api";
import { LiveStatus } from "../components/LiveStatus";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../format";
import { formatRoute } from "../route";
import type { BatchView } from "../types";
import { useLive } from "../useLive";
import { ErrorPanel } from "./ErrorPanel";

export function BatchPage({ id, token }: { id: string; token: string | null }) {
  const batch = useLive<BatchView>(
    () => api.getBatch(id, token),
    `${id}|${token ?? ""}`,
    (view) => view === null || view.status === "Running",
  );
  const view = batch.data;
  const ended = view ? view.total - view.counts.NotStarted - view.counts.Running : 0;
  return (
    <>
      <p class="crumbs">
        <a href="#/runs">All runs</a>
      </p>
      <h1>
        Batch <span class="mono">{id}</span> {view && <StatusBadge status={view.status} />}
      </h1>
      <LiveStatus readAt={batch.readAt} nextAt={batch.nextAt} onRefresh={batch.reload} />
      {batch.error && <ErrorPanel error={batch.error} />}
      {view && (
        <>
          <p>
            <label for="batch-progress">
              {ended} of {view.total} item(s) ended
            </label>
            <progress id="batch-progress" max={Math.max(1, view.total)} value={ended} />
          </p>
          <table class="compact counts">
            <caption>Items by status</caption>
            <tbody>
              {(Object.keys(view.counts) as Array<keyof BatchView["counts"]>).map((status) => (
                <tr key={status}>
                  <th scope="row">{status}</th>
                  <td>{view.counts[status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl class="facts">
            <dt>Phase</dt>
            <dd>{view.phase}</dd>
            <dt>Created</dt>
            <dd>{formatTime(view.createdAt)}</dd>
            <dt>Last change</dt>
            <dd>{formatTime(view.lastUpdatedAt)}</dd>
            <dt>At most live</dt>
            <dd>{view.maxConcurrentJobs} job(s)</dd>
            <dt>Failures tolerated</dt>
            <dd>{view.toleratedFailurePercent} %</dd>
            {view.stoppedBecause && (
              <>
                <dt>Stopped because</dt>
                <dd>{view.stoppedBecause}</dd>
              </>
            )}
          </dl>
          <table>
            <caption>Children</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Output</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {view.children.items.map((item) => (
                <tr key={item.index}>
                  <th scope="row">{item.index}</th>
                  <td>{item.runId ? <a href={formatRoute({ page: "run", id: item.runId })}>{item.runId}</a> : "not started"}</td>
                  <td>
                    <StatusBadge status={item.status} />
                  </td>
                  <td class="mono">{item.output ?? "–"}</td>
                  <td>{item.errorCode ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {token && (
              <a class="button" href={formatRoute({ page: "batch", id, token: null })}>
                First page
              </a>
            )}
            {view.children.continuationToken && (
              <a class="button" href={formatRoute({ page: "batch", id, token: view.children.continuationToken })}>
                Next page
              </a>
            )}
          </nav>
        </>
      )}
    </>
  );
}

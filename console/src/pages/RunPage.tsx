/**
 * One run: its status and error, the timeline, pre-flight, warnings and diagnostics, the
 * predictions file or output manifest, the Studio link, and Cancel or Rerun (hidden read-only).
 */
import { api } from "../api";
import { ConfirmAction } from "../components/ConfirmAction";
import { OutsideLink } from "../components/Link";
import { LiveStatus } from "../components/LiveStatus";
import { StatusBadge } from "../components/StatusBadge";
import { Timeline } from "../components/Timeline";
import { batchOfRun, endpointName, formatBytes, formatDuration, formatTime, isEnded, runDurationMs } from "../format";
import { formatRoute } from "../route";
import { phaseLabels, timelineModel } from "../timelineModel";
import type { RunView } from "../types";
import { useLive } from "../useLive";
import { ErrorPanel } from "./ErrorPanel";
import { RunDetails } from "./RunDetails";

export function RunPage({ id, readOnly }: { id: string; readOnly: boolean }) {
  const run = useLive<RunView>(
    () => api.getRun(id),
    id,
    (view) => view === null || !isEnded(view.status),
  );
  const view = run.data;
  return (
    <>
      <p class="crumbs">
        <a href="#/runs">All runs</a>
      </p>
      <h1>
        Run <span class="mono">{id}</span> {view && <StatusBadge status={view.status} />}
      </h1>
      <LiveStatus readAt={run.readAt} nextAt={run.nextAt} onRefresh={run.reload} />
      {run.error && <ErrorPanel error={run.error} />}
      {view && <RunBody view={view} readOnly={readOnly} now={run.readAt ?? Date.now()} onChanged={run.reload} />}
    </>
  );
}

function RunBody({ view, readOnly, now, onChanged }: { view: RunView; readOnly: boolean; now: number; onChanged(): void }) {
  const ended = isEnded(view.status);
  const model = timelineModel(view, now);
  const batch = batchOfRun(view.id);
  return (
    <div data-run-view={view.id}>
      {!readOnly && (
        <div class="actions" aria-label="Actions">
          {!ended && (
            <ConfirmAction
              label="Cancel run"
              title="Cancel this run?"
              description={`The run cancels its Azure ML job${view.job ? ` ${view.job.name}` : ""} and ends Canceled. This cannot be undone.`}
              confirmLabel="Cancel the run"
              reasonLabel="Reason (optional, kept with the run)"
              danger
              onConfirm={async (reason) => {
                await api.cancelRun(view.id, reason);
                onChanged();
              }}
            />
          )}
          {ended && (
            <ConfirmAction
              label="Rerun"
              title="Rerun this run?"
              description="A new run starts with this run's request. Its outputs are renamed for the rerun (Azure ML refuses to write an output that exists)."
              confirmLabel="Start the rerun"
              onConfirm={async () => {
                const rerun = await api.rerunRun(view.id);
                location.hash = formatRoute({ page: "run", id: rerun.id });
              }}
            />
          )}
        </div>
      )}

      {view.error && (
        <section class="panel error-panel" aria-labelledby="run-error">
          <h2 id="run-error">Error</h2>
          <p>
            <strong class="mono">{view.error.code}</strong>
            {view.error.jobStatus ? ` (job ${view.error.jobStatus})` : ""}
          </p>
          <p class="error-message">{view.error.message}</p>
        </section>
      )}

      <dl class="facts">
        <dt>Phase</dt>
        <dd>{view.progress.phase}</dd>
        <dt>Endpoint</dt>
        <dd title={view.request?.endpointUri ?? ""}>
          {endpointName(view.request?.endpointUri)} <span class="sub mono">{view.request?.endpointUri}</span>
        </dd>
        <dt>Deployment</dt>
        <dd>{view.request?.deployment ?? "the endpoint's default"}</dd>
        <dt>Azure ML job</dt>
        <dd>
          {view.job ? (
            <>
              <span class="mono">{view.job.name}</span> ({view.job.status}){" "}
              {view.job.studioUrl && <OutsideLink url={view.job.studioUrl}>Open in Azure ML Studio</OutsideLink>}
            </>
          ) : (
            "none yet"
          )}
        </dd>
        <dt>Correlation id</dt>
        <dd>{view.correlationId ?? "–"}</dd>
        <dt>Created</dt>
        <dd>{formatTime(view.createdAt)}</dd>
        <dt>{ended ? "Ended" : "Last change"}</dt>
        <dd>{formatTime(view.lastUpdatedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(runDurationMs(view, now))}</dd>
        <dt>Status polls</dt>
        <dd>
          {view.progress.polls}
          {view.progress.nextPollAt ? `; next at ${formatTime(view.progress.nextPollAt)}` : ""}
        </dd>
        {view.detection && (
          <>
            <dt>End noticed</dt>
            <dd>
              by {view.detection.by} at {formatTime(view.detection.at)}
            </dd>
          </>
        )}
        {view.rerunOf && (
          <>
            <dt>Rerun of</dt>
            <dd>
              <a href={formatRoute({ page: "run", id: view.rerunOf })}>{view.rerunOf}</a>
            </dd>
          </>
        )}
        {view.reruns && view.reruns.length > 0 && (
          <>
            <dt>Reruns</dt>
            <dd>
              {view.reruns.map((r, i) => (
                <span key={r}>
                  {i > 0 && ", "}
                  <a href={formatRoute({ page: "run", id: r })}>{r}</a>
                </span>
              ))}
            </dd>
          </>
        )}
        {batch && (
          <>
            <dt>Batch</dt>
            <dd>
              <a href={formatRoute({ page: "batch", id: batch, token: null })}>{batch}</a>
            </dd>
          </>
        )}
      </dl>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <Timeline model={model} />
        <p class="legend">
          {model.polls.length} status poll(s) drawn as ticks
          {model.earlierPolls > 0 ? `; ${model.earlierPolls} earlier poll(s) not kept` : ""}
          {model.omitted ? "; the middle of a long timeline is summarised by the app" : ""}.
        </p>
        <table class="compact">
          <caption>Phases</caption>
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {model.bars.map((bar) => (
              <tr key={`${bar.phase}-${bar.from}`} data-phase={bar.phase}>
                <th scope="row">{phaseLabels[bar.phase]}</th>
                <td>{formatTime(new Date(bar.from).toISOString())}</td>
                <td>{bar.open ? "still going" : formatTime(new Date(bar.to).toISOString())}</td>
                <td>{formatDuration(bar.to - bar.from)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table class="compact">
          <caption>Events</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {view.timeline.map((entry, i) => (
              <tr key={`${entry.at}-${i}`}>
                <td class="nowrap">{formatTime(entry.at)}</td>
                <td class="nowrap">{entry.event}</td>
                <td class="detail">{entry.detail ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <OutputSection view={view} />
      <RunDetails view={view} />
    </div>
  );
}

function OutputSection({ view }: { view: RunView }) {
  if (!view.output && view.outputs.length === 0) return null;
  return (
    <section aria-labelledby="output-title">
      <h2 id="output-title">Output</h2>
      {view.output && (
        <dl class="facts">
          <dt>Predictions file</dt>
          <dd class="mono">{view.output.uri}</dd>
          <dt>Blob</dt>
          <dd class="mono">{view.output.blobUrl ?? "–"}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(view.output.sizeBytes)}</dd>
          <dt>Type</dt>
          <dd>{view.output.contentType ?? "–"}</dd>
          <dt>Last modified</dt>
          <dd>{formatTime(view.output.lastModified)}</dd>
        </dl>
      )}
      {view.outputs.length > 0 && (
        <table>
          <caption>Output manifest</caption>
          <thead>
            <tr>
              <th scope="col">Output</th>
              <th scope="col">Type</th>
              <th scope="col">URI</th>
              <th scope="col">Files</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {view.outputs.map((o) => (
              <tr key={o.name}>
                <th scope="row">{o.name}</th>
                <td>{o.type}</td>
                <td class="mono">{o.uri}</td>
                <td>
                  {o.fileCount ?? "?"}
                  {o.truncated ? "+" : ""}
                  {o.files.length > 0 ? ` (${o.files.map((f) => f.name).join(", ")})` : ""}
                </td>
                <td>{formatBytes(o.totalBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

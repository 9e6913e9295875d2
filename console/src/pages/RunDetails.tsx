/** A run's pre-flight checks, warnings, diagnostics and request: every value shown as text. */
import { OutsideLink } from "../components/Link";
import { StatusBadge } from "../components/StatusBadge";
import { formatDuration } from "../format";
import type { RunView } from "../types";

export function RunDetails({ view }: { view: RunView }) {
  const request = view.request;
  return (
    <>
      <section aria-labelledby="preflight-title">
        <h2 id="preflight-title">Pre-flight</h2>
        {view.preflight ? (
          <table>
            <caption>Mode {view.preflight.mode}</caption>
            <thead>
              <tr>
                <th scope="col">Checked</th>
                <th scope="col">Result</th>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {view.preflight.checks.map((check, i) => (
                <tr key={`${check.target}-${i}`}>
                  <th scope="row" class="mono">
                    {check.target}
                  </th>
                  <td>
                    <StatusBadge status={check.result} />
                  </td>
                  <td>{check.code ?? "–"}</td>
                  <td>{check.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>Not made yet.</p>
        )}
      </section>

      <section aria-labelledby="warnings-title">
        <h2 id="warnings-title">Warnings</h2>
        {view.warnings.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul class="warnings">
            {view.warnings.map((w, i) => (
              <li key={`${w.code}-${i}`}>
                <strong class="mono">{w.code}</strong>: {w.message}
              </li>
            ))}
          </ul>
        )}
      </section>

      {view.diagnostics && (
        <section aria-labelledby="diagnostics-title">
          <h2 id="diagnostics-title">Diagnostics</h2>
          <dl class="facts">
            <dt>Queued</dt>
            <dd>{view.diagnostics.queuedSeconds === null ? "–" : formatDuration(view.diagnostics.queuedSeconds * 1000)}</dd>
            <dt>Running</dt>
            <dd>{view.diagnostics.runningSeconds === null ? "–" : formatDuration(view.diagnostics.runningSeconds * 1000)}</dd>
            <dt>Mini-batches</dt>
            <dd>
              {view.diagnostics.miniBatches
                ? `${view.diagnostics.miniBatches.processed ?? "?"} processed, ${view.diagnostics.miniBatches.failed ?? "?"} failed of ${view.diagnostics.miniBatches.total ?? "?"}`
                : "–"}
            </dd>
            <dt>Logs</dt>
            <dd>
              {view.diagnostics.logs.studioUrl ? <OutsideLink url={view.diagnostics.logs.studioUrl}>Job logs in Studio</OutsideLink> : "–"}
              {view.diagnostics.logs.files.length > 0 && <span class="sub mono"> {view.diagnostics.logs.files.join(", ")}</span>}
            </dd>
          </dl>
          {view.diagnostics.errorLines.length > 0 && (
            <pre class="error-lines" aria-label="First error lines of the job's logs">
              {view.diagnostics.errorLines.join("\n")}
            </pre>
          )}
        </section>
      )}

      {request && (
        <section aria-labelledby="request-title">
          <h2 id="request-title">Request</h2>
          <table>
            <caption>Inputs and outputs</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(request.inputs).map(([name, input]) => (
                <tr key={`in-${name}`}>
                  <th scope="row">{name}</th>
                  <td>input, {input.type}</td>
                  <td class="mono">{"uri" in input ? input.uri : input.value}</td>
                </tr>
              ))}
              {Object.entries(request.outputs).map(([name, output]) => (
                <tr key={`out-${name}`}>
                  <th scope="row">{name}</th>
                  <td>output, {output.type}</td>
                  <td class="mono">{output.uri}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="tags">
            <caption>Tags</caption>
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(request.tags).length === 0 ? (
                <tr>
                  <td colSpan={2}>None.</td>
                </tr>
              ) : (
                Object.entries(request.tags).map(([name, value]) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{value}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <dl class="facts">
            <dt>Poll interval</dt>
            <dd>{request.pollIntervalSeconds} s</dd>
            <dt>Deadline</dt>
            <dd>
              {formatDuration(request.timeoutSeconds * 1000)}
              {request.queueTimeoutSeconds ? `; queue ${formatDuration(request.queueTimeoutSeconds * 1000)}` : ""}
            </dd>
            {request.displayName && (
              <>
                <dt>Display name</dt>
                <dd>{request.displayName}</dd>
              </>
            )}
          </dl>
        </section>
      )}
    </>
  );
}

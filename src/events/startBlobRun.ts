/**
 * The one start path of blob-started runs (one per blob version, or one per batched window):
 * validate the body as any start request is validated, build the run's input, start or join.
 * A run under its id is never replaced, even a failed one.
 */
import type { AppConfig } from "../config";
import type { RunsClient } from "../runs/durableRuns";
import { validateStartRequest } from "../runs/request/validateStartRequest";
import { newRunInput } from "../runs/runInput";
import { startOrJoin } from "../runs/startOrJoin";
import type { RunTrigger } from "../runs/types";

export type BlobRunStart = { kind: "started" | "exists" } | { kind: "invalid"; reason: string };

export async function startBlobRun(
  runs: RunsClient,
  config: AppConfig,
  run: { instanceId: string; body: Record<string, unknown>; correlationId: string | null; trigger?: RunTrigger },
): Promise<BlobRunStart> {
  const validation = validateStartRequest(run.body, config);
  if (!validation.ok) {
    return { kind: "invalid", reason: `the run it would start is invalid: ${validation.details.map((d) => `${d.field} ${d.message}`).join("; ")}` };
  }
  const input = newRunInput(validation.request, config, new Date(), run.correlationId);
  if (run.trigger) input.trigger = run.trigger;
  const outcome = await startOrJoin(runs, run.instanceId, input);
  return { kind: outcome.kind === "started" ? "started" : "exists" };
}

/** `scoring-run start`: POST /api/scoring-runs; with --wait, follow the run until it ends. */
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";
import { formatWarning } from "../format";
import { reportRun, waitAndReport } from "../runOutcome";
import { buildStartBody, type StartFlags } from "../startArgs";
import { parseMaxWait } from "./waitFlags";

export interface StartOptions extends StartFlags {
  idempotencyKey?: string;
  wait?: boolean;
  maxWait?: string;
}

export async function startCommand(ctx: CommandContext, options: StartOptions): Promise<number> {
  const body = buildStartBody(options);
  const maxWaitSeconds = parseMaxWait(options.maxWait);
  const answer = await ctx.client.start(
    body as unknown as Record<string, unknown>,
    options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {},
  );
  const { view } = answer;
  // What the API accepted but wants known (a setting Azure ML may not honour, a field ignored): before anything else.
  if (!ctx.json) for (const w of view.warnings) ctx.io.err(`warning: ${formatWarning(w)}`);
  if (options.wait || maxWaitSeconds !== undefined) return waitAndReport(ctx, answer, maxWaitSeconds !== undefined ? { maxWaitSeconds } : {});
  if (answer.status !== 202) {
    // The Idempotency-Key / instanceId names a run that already ended: that run is the answer.
    ctx.io.err(`run ${view.id} was started before with this key and already ended ${view.status}`);
    return reportRun(ctx, view);
  }
  if (ctx.json) {
    ctx.io.out(JSON.stringify(view, null, 2));
    return ExitCode.Ok;
  }
  const statusUrl = answer.location ?? ctx.client.statusUrl(view.id).href;
  ctx.io.out(`run ${view.id} started (${view.status})`);
  ctx.io.out(`status: ${statusUrl}`);
  ctx.io.out(`follow: ${ctx.self} status ${view.id} --wait`);
  ctx.io.out(`cancel: ${ctx.self} cancel ${view.id}`);
  return ExitCode.Ok;
}

/** `scoring-run rerun <id>`: POST /api/scoring-runs/{id}/rerun; with --wait, follow the rerun until it ends. */
import { ApiError } from "../apiClient";
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";
import { waitAndReport } from "../runOutcome";
import { parseMaxWait } from "./waitFlags";

export interface RerunOptions {
  output?: string;
  idempotencyKey?: string;
  wait?: boolean;
  maxWait?: string;
}

export async function rerunCommand(ctx: CommandContext, id: string, options: RerunOptions): Promise<number> {
  const maxWaitSeconds = parseMaxWait(options.maxWait);
  const body = options.output === undefined ? undefined : { output: { uri: options.output } };
  let answer;
  try {
    answer = await ctx.client.rerun(id, body, options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {});
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      ctx.io.err(`run ${id} cannot be rerun now (${err.code}: ${err.message})`);
      if (ctx.json) ctx.io.out(JSON.stringify(err.body ?? { error: { code: err.code, message: err.message } }, null, 2));
      return ExitCode.Failed;
    }
    throw err;
  }
  if (options.wait || maxWaitSeconds !== undefined) return waitAndReport(ctx, answer, maxWaitSeconds !== undefined ? { maxWaitSeconds } : {});
  const { view } = answer;
  if (ctx.json) {
    ctx.io.out(JSON.stringify(view, null, 2));
    return ExitCode.Ok;
  }
  const outputs = view.request ? Object.values(view.request.outputs).map((o) => o.uri) : [];
  ctx.io.out(`run ${view.id} reruns ${id} (${view.status})${outputs.length > 0 ? `; writes ${outputs.join(", ")}` : ""}`);
  ctx.io.out(`follow: ${ctx.self} status ${view.id} --wait`);
  return ExitCode.Ok;
}

/** `scoring-run cancel <id>`: ask the run to cancel its Azure ML job (202), or say it already ended (409). */
import { ApiError } from "../apiClient";
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";

export interface CancelOptions {
  reason?: string;
}

export async function cancelCommand(ctx: CommandContext, id: string, options: CancelOptions): Promise<number> {
  try {
    const answer = await ctx.client.cancel(id, options.reason);
    if (ctx.json) {
      ctx.io.out(JSON.stringify(answer.view, null, 2));
    } else {
      ctx.io.out(`cancel requested for run ${id}: it ends Canceled once Azure ML has canceled the job`);
      ctx.io.out(`follow: ${ctx.self} status ${id} --wait`);
    }
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      ctx.io.err(`run ${id} already ended: nothing to cancel (${err.code}: ${err.message})`);
      if (ctx.json) ctx.io.out(JSON.stringify(err.body ?? { error: { code: err.code, message: err.message } }, null, 2));
      return ExitCode.Failed;
    }
    throw err;
  }
}

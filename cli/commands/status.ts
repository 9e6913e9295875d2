/** `scoring-run status <id>`: the run view; with --wait, follow the run until it ends. */
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";
import { printView, waitAndReport } from "../runOutcome";
import { parseMaxWait } from "./waitFlags";

export interface StatusOptions {
  wait?: boolean;
  maxWait?: string;
}

export async function statusCommand(ctx: CommandContext, id: string, options: StatusOptions): Promise<number> {
  const maxWaitSeconds = parseMaxWait(options.maxWait);
  const answer = await ctx.client.status(id);
  if (options.wait || maxWaitSeconds !== undefined) return waitAndReport(ctx, answer, maxWaitSeconds !== undefined ? { maxWaitSeconds } : {});
  printView(ctx, answer.view);
  return ExitCode.Ok;
}

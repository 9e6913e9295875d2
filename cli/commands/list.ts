/** `scoring-run list`: runs, newest first, one page at a time. */
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";
import { formatList } from "../format";
import { UsageError } from "../usageError";

export interface ListOptions {
  status?: string;
  top?: string;
  continuationToken?: string;
}

export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<number> {
  let top: number | undefined;
  if (options.top !== undefined) {
    if (!/^\d+$/.test(options.top.trim())) throw new UsageError(`--top must be a whole number, got ${JSON.stringify(options.top)}`);
    top = Number(options.top.trim());
  }
  const page = await ctx.client.list({
    ...(options.status !== undefined ? { status: options.status } : {}),
    ...(top !== undefined ? { top } : {}),
    ...(options.continuationToken !== undefined ? { continuationToken: options.continuationToken } : {}),
  });
  if (ctx.json) {
    ctx.io.out(JSON.stringify(page, null, 2));
    return ExitCode.Ok;
  }
  for (const line of formatList(page.value)) ctx.io.out(line);
  if (page.continuationToken)
    ctx.io.out(
      `more: ${ctx.self} list${options.status ? ` --status ${options.status}` : ""}${top !== undefined ? ` --top ${top}` : ""} --continuation-token ${page.continuationToken}`,
    );
  return ExitCode.Ok;
}

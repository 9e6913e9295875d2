/**
 * `scoring-run batch`: POST /api/scoring-batches from a template and items (files or flags);
 * with --wait, one text progress bar for the whole batch until it ends. Exit codes as `start --wait`.
 */
import * as fs from "node:fs";
import type { BatchSummary } from "../apiClient";
import type { CommandContext } from "../context";
import { ExitCode } from "../exitCodes";
import { UsageError } from "../usageError";
import { parseMaxWait } from "./waitFlags";

export interface BatchOptions {
  file?: string;
  template?: string;
  endpoint?: string;
  items?: string;
  itemsFrom?: string;
  itemsOutput?: string;
  maxItems?: string;
  maxConcurrentJobs?: string;
  toleratedFailurePercent?: string;
  idempotencyKey?: string;
  wait?: boolean;
  maxWait?: string;
}

function readJson(path: string, flag: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${flag}: cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${flag}: ${path} is not JSON`);
  }
}

const whole = (raw: string | undefined, flag: string): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number, got ${raw}`);
  return Number(raw);
};

/** The batch body: --file as is, or a template (file or --endpoint) and items (file or --items-from); flags override. */
export function buildBatchBody(o: BatchOptions): Record<string, unknown> {
  const body: Record<string, unknown> = o.file ? { ...(readJson(o.file, "--file") as Record<string, unknown>) } : {};
  if (o.template) body.template = readJson(o.template, "--template");
  if (o.endpoint) body.template = { ...((body.template as Record<string, unknown> | undefined) ?? {}), endpointUri: o.endpoint };
  if (o.items) body.items = readJson(o.items, "--items");
  if (o.itemsFrom !== undefined || o.itemsOutput !== undefined) {
    if (!o.itemsFrom || !o.itemsOutput) throw new UsageError("--items-from and --items-output go together");
    body.itemsFrom = { prefix: o.itemsFrom, output: o.itemsOutput, ...(o.maxItems !== undefined ? { maxItems: whole(o.maxItems, "--max-items") } : {}) };
  }
  const max = whole(o.maxConcurrentJobs, "--max-concurrent-jobs");
  if (max !== undefined) body.maxConcurrentJobs = max;
  const tolerated = whole(o.toleratedFailurePercent, "--tolerated-failure-percent");
  if (tolerated !== undefined) body.toleratedFailurePercent = tolerated;
  if (body.template === undefined) throw new UsageError("give the run template: --template <file>, --endpoint <uri> or --file <batch.json>");
  if (body.items === undefined && body.itemsFrom === undefined)
    throw new UsageError("give the items: --items <file>, --items-from <folder> or --file <batch.json>");
  return body;
}

/** `[##########----------] 6/12 ended · 3 running · 1 failed`. */
export function progressBar(view: BatchSummary, width = 20): string {
  const c = view.counts;
  const ended = c.Succeeded + c.Failed + c.Canceled;
  const filled = view.total > 0 ? Math.round((ended / view.total) * width) : 0;
  const parts = [`${ended}/${view.total} ended`, `${c.Running} running`];
  if (c.Failed > 0) parts.push(`${c.Failed} failed`);
  if (c.Canceled > 0) parts.push(`${c.Canceled} canceled`);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${parts.join(" · ")}`;
}

const exitFor = (view: BatchSummary): number => (view.status === "Succeeded" ? ExitCode.Ok : view.status === "Canceled" ? ExitCode.Canceled : ExitCode.Failed);

export async function batchCommand(ctx: CommandContext, options: BatchOptions, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<number> {
  const body = buildBatchBody(options);
  const maxWaitSeconds = parseMaxWait(options.maxWait);
  const started = await ctx.client.startBatch(body, options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {});
  let view = started.view;
  if (!options.wait && maxWaitSeconds === undefined) {
    if (ctx.json) ctx.io.out(JSON.stringify(view, null, 2));
    else {
      ctx.io.out(`batch ${view.id} started (${view.total} items, ${view.status})`);
      ctx.io.out(`status: ${ctx.client.batchUrl(`/${encodeURIComponent(view.id)}`).href}`);
    }
    return ExitCode.Ok;
  }
  const deadline = maxWaitSeconds !== undefined ? Date.now() + maxWaitSeconds * 1000 : Infinity;
  let interrupted = false;
  const stop = ctx.io.onInterrupt(() => (interrupted = true));
  let lastLine = "";
  try {
    for (;;) {
      const line = progressBar(view);
      if (!ctx.json && line !== lastLine) {
        if (ctx.io.interactive) ctx.io.errStream.write(`\r${ctx.io.redact(line)}`);
        else ctx.io.err(line);
        lastLine = line;
      }
      if (view.status !== "Running") break;
      if (interrupted) return ExitCode.Interrupted;
      if (Date.now() >= deadline) {
        if (ctx.io.interactive && !ctx.json) ctx.io.errStream.write("\n");
        ctx.io.err(`batch ${view.id} still running after --max-wait; it goes on`);
        return ExitCode.WaitTimedOut;
      }
      await sleep(Math.min(Math.max(1, started.retryAfterSeconds ?? 5), 10) * 1000);
      view = (await ctx.client.batchStatus(view.id)).view;
    }
  } finally {
    stop();
  }
  if (ctx.io.interactive && !ctx.json) ctx.io.errStream.write("\n");
  if (ctx.json) ctx.io.out(JSON.stringify(view, null, 2));
  else ctx.io.out(`batch ${view.id} ${view.status}${view.stoppedBecause ? ` (${view.stoppedBecause})` : ""}`);
  return exitFor(view);
}

/**
 * Event Grid's side of a webhook subscription: several deliveries in flight at once, each one
 * batch, each given up after Event Grid's response timeout and sent again later, as is any answer
 * outside 200–204 (docs/azure-behaviour.md#event-grid-batches). Latencies are wall-clock
 * milliseconds from sending a batch to reading the whole answer.
 */
import { performance } from "node:perf_hooks";

export interface SenderOptions {
  url: string;
  headers: Record<string, string>;
  /** Deliveries in flight at once. */
  senders: number;
  /** Event Grid waits this long for an answer, then counts the delivery as failed and retries it. */
  timeoutMs: number;
  /** Attempts per batch before the bench gives up (Event Grid's default is 30). */
  maxAttempts: number;
}

export interface Delivered {
  /** The answer body of each batch's successful delivery, by batch index. */
  answers: unknown[];
  /** Every attempt's latency, failed ones included. */
  latenciesMs: number[];
  /** Attempts that failed (status outside 200–204, or no answer in time) and were sent again. */
  retries: number;
  seconds: number;
}

export async function deliverBatches(batches: unknown[][], options: SenderOptions): Promise<Delivered> {
  const answers: unknown[] = new Array(batches.length);
  const latenciesMs: number[] = [];
  const queue = batches.map((_, i) => ({ index: i, attempts: 0 }));
  let retries = 0;
  const started = performance.now();

  async function sender(): Promise<void> {
    for (let next = queue.shift(); next; next = queue.shift()) {
      next.attempts++;
      const sent = performance.now();
      const answer = await post(batches[next.index]!, options);
      latenciesMs.push(performance.now() - sent);
      if (answer.ok) {
        answers[next.index] = answer.body;
        continue;
      }
      if (next.attempts >= options.maxAttempts) throw new Error(`batch ${next.index}: ${next.attempts} failed deliveries, last: ${answer.problem}`);
      retries++;
      queue.push(next);
    }
  }

  await Promise.all(Array.from({ length: options.senders }, sender));
  return { answers, latenciesMs, retries, seconds: (performance.now() - started) / 1000 };
}

async function post(batch: unknown[], options: SenderOptions): Promise<{ ok: true; body: unknown } | { ok: false; problem: string }> {
  try {
    const res = await fetch(options.url, {
      method: "POST",
      headers: options.headers,
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 204) return { ok: false, problem: `HTTP ${res.status}: ${text.slice(0, 300)}` };
    return { ok: true, body: text === "" ? null : JSON.parse(text) };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}

/** The value below which `share` of the values fall (nearest rank). */
export function percentile(values: number[], share: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

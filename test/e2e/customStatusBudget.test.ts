import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { pipelineDeployment } from "../../dev/stack";
import { maxStartBodyBytes } from "../../src/http/startRun";
import { useStack } from "./stack";

/**
 * Custom status is capped at 16 KB of UTF-16 JSON (the dev host fails the run past it, as Azure
 * does). The run keeps it small whatever the request: a bounded summary while it runs, the full
 * pre-flight report, warnings and timeline in its output at the end.
 */
describe("custom status stays small whatever the request", () => {
  const ctx = useStack({ azurite: true });
  /** Our target: half of Azure's limit, so a serializer's differences never matter. */
  const budgetBytes = 8 * 1024;

  /** The largest valid request: tags at their limits, and as many long-named inputs as fit in 64 KB. */
  function largestBody(stack: typeof ctx.stack): Record<string, unknown> {
    const tags: Record<string, string> = {};
    for (let i = 0; i < 50; i++) tags[`${String(i).padStart(2, "0")}${"k".repeat(126)}`] = "v".repeat(256);
    const body = stack.startBody({ tags, preflight: "warn", inputs: {}, deployment: pipelineDeployment.name });
    const inputs: Record<string, unknown> = {};
    for (let i = 0; ; i++) {
      const name = `input_${String(i).padStart(4, "0")}_${"n".repeat(200)}`;
      inputs[name] = { type: "uri_file", uri: `azureml://datastores/workspaceblobstore/paths/missing/${"p".repeat(180)}/${i}.csv` };
      if (Buffer.byteLength(JSON.stringify({ ...body, inputs })) > maxStartBodyBytes) {
        delete inputs[name];
        break;
      }
    }
    return { ...body, inputs };
  }

  it("the largest valid request, every input warned about, and the longest Azure ML error: under 8 KB at every step", async () => {
    const { stack } = ctx;
    stack.emulator.configure({ failureText: "services" });
    stack.emulator.enqueueLifecycle(lifecycles.failsWith(`Mini batch failed: ${"e".repeat(1981)}`, 2));
    const body = largestBody(stack);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(maxStartBodyBytes - 600);
    const inputCount = Object.keys(body.inputs as object).length;
    const start = await stack.api("/api/scoring-runs", { json: body });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? ""));

    expect(stack.host.engine.customStatusHighWater.get(id)).toBeLessThanOrEqual(budgetBytes);
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.error).toMatchObject({ code: "JobFailed", jobStatus: "Failed" });
    expect(view.error.message).toBe(`Mini batch failed: ${"e".repeat(1981)}`);
    // The full record is in the output at the end: every input's warning, the whole timeline.
    expect(view.warnings).toHaveLength(inputCount);
    expect(view.preflight.checks).toHaveLength(inputCount + 1);
    expect(view.timeline.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(["started", "preflight", "invoked", "failed"]));
  });
});

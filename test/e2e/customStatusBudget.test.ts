import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { pipelineDeployment } from "../../dev/stack";
import { largestStartBody, longestFailureText } from "../../bench/largestRequest";
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

  it("the largest valid request, every input warned about, and the longest Azure ML error: under 8 KB at every step", async () => {
    const { stack } = ctx;
    stack.emulator.configure({ failureText: "services" });
    stack.emulator.enqueueLifecycle(lifecycles.failsWith(longestFailureText, 2));
    const body = largestStartBody(stack.startBody({ preflight: "warn", deployment: pipelineDeployment.name }));
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(maxStartBodyBytes - 600);
    const inputCount = Object.keys(body.inputs as object).length;
    const start = await stack.api("/api/scoring-runs", { json: body });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? ""));

    expect(stack.host.engine.customStatusHighWater.get(id)).toBeLessThanOrEqual(budgetBytes);
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.error).toMatchObject({ code: "JobFailed", jobStatus: "Failed" });
    expect(view.error.message).toBe(longestFailureText);
    // The full record is in the output at the end: every input's warning, the whole timeline.
    expect(view.warnings).toHaveLength(inputCount);
    // One check per input, one for the output, one for the deployment.
    expect(view.preflight.checks).toHaveLength(inputCount + 2);
    expect(view.timeline.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(["started", "preflight", "invoked", "failed"]));
  });
});

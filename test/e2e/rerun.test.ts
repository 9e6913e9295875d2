/**
 * Reruns end to end through the dev host, the emulator and Azurite: a failed run rerun with a
 * new output succeeds, and the two runs name each other; default outputs get a rerun suffix;
 * one rerun per Idempotency-Key; a run still going, an unknown run and a bad body are refused
 * with nothing started.
 */
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { runEnded, runToEnd, type Stack, useStack } from "./stack";

const ds = (path: string) => `azureml://datastores/workspaceblobstore/paths/${path}`;
let n = 0;
const fresh = () => `scoring/rerun/${Date.now()}-${++n}`;

async function rerun(stack: Stack, id: string, body?: unknown, headers: Record<string, string> = {}) {
  return stack.api(`/api/scoring-runs/${id}/rerun`, body === undefined ? { method: "POST", headers } : { json: body, headers });
}

async function rerunToEnd(stack: Stack, id: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await rerun(stack, id, body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await stack.host.engine.runUntil(runEnded(stack, res.body.id));
  return (await stack.api(`/api/scoring-runs/${res.body.id}`)).body;
}

describe("rerun", () => {
  const ctx = useStack({ azurite: true, autoAdvance: true });

  it("a failed run, rerun with a new output, succeeds; the two runs name each other", async () => {
    const { stack } = ctx;
    const folder = fresh();
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("Scoring script raised an exception.", 1));
    const failed = await runToEnd(stack, stack.startBody({ output: { uri: ds(`${folder}/p.csv`) }, settings: { miniBatchSize: 5 } }));
    expect(failed.status).toBe("Failed");
    const jobsBefore = stack.emulator.createdJobCount;

    const again = await rerunToEnd(stack, failed.id, { output: { uri: ds(`${folder}/fixed/`) } });
    expect(again.status).toBe("Succeeded");
    expect(again.rerunOf).toBe(failed.id);
    expect(again.request).toEqual({ ...failed.request, outputs: { score: { type: "uri_folder", uri: ds(`${folder}/fixed/`) } } });
    expect(again.outputs[0].fileCount).toBe(1);
    expect(stack.emulator.createdJobCount).toBe(jobsBefore + 1);
    await stack.host.engine.runUntil(() => (stack.host.engine.entityState("runLinks", failed.id) as { reruns?: string[] } | undefined)?.reruns?.length === 1);
    const original = (await stack.api(`/api/scoring-runs/${failed.id}`)).body;
    expect(original.reruns).toEqual([again.id]);
    expect(original.rerunOf).toBeNull();
    // A list does not read the links.
    const listed = (await stack.api(`/api/scoring-runs?top=50`)).body.value.find((r: { id: string }) => r.id === failed.id);
    expect(listed.reruns).toBeNull();
  });

  it("without a body, each output gets the rerun's suffix; a second rerun the next one", async () => {
    const { stack } = ctx;
    const folder = fresh();
    const first = await runToEnd(stack, stack.startBody({ output: { uri: ds(`${folder}/p.csv`) } }));
    const one = await rerunToEnd(stack, first.id);
    expect(one.request.outputs.score.uri).toBe(ds(`${folder}/p.rerun-1.csv`));
    await stack.host.engine.runUntil(() => (stack.host.engine.entityState("runLinks", first.id) as { reruns?: string[] } | undefined)?.reruns?.length === 1);
    const two = await rerunToEnd(stack, first.id);
    expect(two.request.outputs.score.uri).toBe(ds(`${folder}/p.rerun-2.csv`));
    expect(two.status).toBe("Succeeded");
  });

  it("one rerun per Idempotency-Key: the same key again is the same run and one job; another body with it is a 409", async () => {
    const { stack } = ctx;
    const folder = fresh();
    const first = await runToEnd(stack, stack.startBody({ output: { uri: ds(`${folder}/p.csv`) } }));
    const body = { output: { uri: ds(`${folder}/keyed.csv`) } };
    const jobsBefore = stack.emulator.createdJobCount;
    const a = await rerun(stack, first.id, body, { "idempotency-key": "rerun-7" });
    const b = await rerun(stack, first.id, body, { "idempotency-key": "rerun-7" });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.id).toBe(a.body.id);
    await stack.host.engine.runUntil(runEnded(stack, a.body.id));
    expect(stack.emulator.createdJobCount).toBe(jobsBefore + 1);
    const other = await rerun(stack, first.id, { output: { uri: ds(`${folder}/other.csv`) } }, { "idempotency-key": "rerun-7" });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("IdempotencyConflict");
  });

  it("refused, with nothing started: a run still going (409), an unknown run (404), a bad body (400 naming the field), a taken output (409)", async () => {
    const { stack } = ctx;
    const folder = fresh();
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const started = await stack.api("/api/scoring-runs", { json: stack.startBody({ output: { uri: ds(`${folder}/p.csv`) } }) });
    await stack.host.engine.runUntil(() => stack.emulator.createdJobCount > 0 && stack.host.engine.get(started.body.id)?.runtimeStatus === "Running");
    const runCount = () => stack.host.engine.all().filter((i) => !i.instanceId.startsWith("@")).length;
    const before = runCount();

    const running = await rerun(stack, started.body.id);
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe("RunNotEnded");
    expect((await rerun(stack, "no-such-run")).status).toBe(404);

    await stack.api(`/api/scoring-runs/${started.body.id}/cancel`, { method: "POST" });
    await stack.host.engine.runUntil(runEnded(stack, started.body.id));
    const bad = await rerun(stack, started.body.id, { output: { uri: "https://acct.blob.core.windows.net/c/p.csv?sig=s3cr3tvalue" }, wait: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(["wait"]);
    const sas = await rerun(stack, started.body.id, { output: { uri: "https://acct.blob.core.windows.net/c/p.csv?sig=s3cr3tvalue" } });
    expect(sas.status).toBe(400);
    expect(sas.body.error.details[0].field).toBe("outputs.score.uri");
    expect(JSON.stringify(sas.body)).not.toContain("s3cr3tvalue");

    const done = await runToEnd(stack, stack.startBody({ output: { uri: ds(`${folder}/done.csv`) } }));
    const taken = await rerun(stack, started.body.id, { output: { uri: ds(`${folder}/done.csv`) } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("OutputAlreadyExists");
    expect(done.status).toBe("Succeeded");
    // Only the run started for the taken output's file: no rerun started.
    expect(runCount()).toBe(before + 1);
  });
});

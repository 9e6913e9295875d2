/**
 * Exactly once per run end, across a host restart: the callback is an activity, so once its
 * completion is in the history no replay sends it again; a host that dies after the job ended
 * and before the callback went sends it once after the restart. The documented edge: a host that
 * dies after the receiver answered but before the activity's completion was recorded sends it
 * again (at least once), with the same body.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { ActivityCrash } from "../../dev/host/durableEngine";
import { type CallbackListener, startCallbackListener } from "../../dev/notices/callbackListener";
import { names } from "../../src/runs/names";
import { killAndRestart } from "./restart";

describe("completion callbacks across a host restart", () => {
  let listener: CallbackListener;
  beforeAll(async () => {
    listener = await startCallbackListener();
  });
  afterAll(async () => listener?.close());

  const deliveriesTo = (tag: string) => listener.received.filter((r) => r.path.startsWith(`/cb/${tag}`));

  it("killed after the job ended, before the callback went: after the restart it arrives exactly once", async () => {
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
        let killed = false;
        first.host.engine.interceptor = {
          async before(name) {
            if (name !== names.activities.notify || killed) return;
            killed = true;
            await first.host.stop(); // the job has ended; the callback has not been sent
            throw new ActivityCrash("host killed before the callback");
          },
        };
        const start = await first.api("/api/scoring-runs", { json: first.startBody({ callBackUri: `${listener.baseUrl}/cb/before` }) });
        await first.host.engine.runUntil(() => killed, 3600_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        expect(deliveriesTo("before")).toEqual([]);
        return start.body.id as string;
      },
      (view, first) => {
        expect(view.status).toBe("Succeeded");
        expect(deliveriesTo("before")).toHaveLength(1);
        expect(deliveriesTo("before")[0]!.body).toMatchObject({ Output: { id: view.id, status: "Succeeded" }, StatusCode: "200" });
        expect(first.emulator.createdJobCount).toBe(1);
      },
    );
  });

  it("a run that ended and sent its callback is replayed by a restarted host without sending it again", async () => {
    let id = "";
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.failsWith("boom", 1));
        const start = await first.api("/api/scoring-runs", { json: first.startBody({ callBackUri: `${listener.baseUrl}/cb/after` }) });
        id = start.body.id as string;
        await first.host.engine.runUntil(() => first.host.engine.get(id)?.runtimeStatus === "Failed", 3600_000);
        return id;
      },
      (view) => {
        expect(view.status).toBe("Failed");
        // The restarted host replays the whole history (verifyReplay) and sends nothing.
        expect(deliveriesTo("after")).toHaveLength(1);
        expect(deliveriesTo("after")[0]!.body).toMatchObject({ StatusCode: "500", Error: { ErrorCode: "JobFailed" } });
      },
    );
  });

  it("the at-least-once edge: killed after the receiver answered, before the completion was recorded → sent again, same body", async () => {
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.completesAfter(1));
        let killed = false;
        first.host.engine.interceptor = {
          async after(name) {
            if (name !== names.activities.notify || killed) return;
            killed = true;
            await first.host.stop();
            throw new ActivityCrash("host killed after the callback was answered");
          },
        };
        const start = await first.api("/api/scoring-runs", { json: first.startBody({ callBackUri: `${listener.baseUrl}/cb/edge` }) });
        await first.host.engine.runUntil(() => killed, 3600_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        return start.body.id as string;
      },
      (view) => {
        expect(view.status).toBe("Succeeded");
        const sent = deliveriesTo("edge");
        expect(sent).toHaveLength(2);
        expect(sent[1]!.rawBody).toBe(sent[0]!.rawBody);
      },
    );
  });
});

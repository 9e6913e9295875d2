import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { ActivityCrash } from "../../dev/host/durableEngine";
import { closedPort } from "../fixtures/ports";
import { launchDevProcess } from "./devProcess";
import { killAndRestart } from "./restart";

/**
 * A host killed mid-run and started again on the same state directory finishes
 * the run, with one Azure ML job and a history that replays. (Killed while waiting on a timer:
 * devHost.test.ts; between the invoke and recording its answer: noDuplicateJobs.test.ts.)
 */
describe("restart survival", () => {
  it("virtual clock: killed during a status poll, restarted, the run completes with one job", async () => {
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.completesAfter(3));
        let polls = 0;
        first.host.engine.interceptor = {
          async before(name) {
            if (name !== "getBatchJobStatus" || ++polls !== 2) return;
            await first.host.stop(); // killed in the middle of the second poll
            throw new ActivityCrash("host killed");
          },
        };
        const start = await first.api("/api/scoring-runs", { json: first.startBody({ pollIntervalSeconds: 60 }) });
        await first.host.engine.runUntil(() => polls >= 2, 3600_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        return start.body.id as string;
      },
      (view, first) => {
        expect(view).toMatchObject({ status: "Succeeded", progress: { polls: 4 } });
        expect(first.emulator.createdJobCount).toBe(1);
      },
    );
  });

  it("wall clock: npm run dev's process killed with SIGKILL mid-run and started again finishes the run, one job", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "restart-wall-"));
    // The restart reuses the ports, as a user re-running npm run dev does.
    const ports = { PORT: String(await closedPort()), BATCH_EMULATOR_PORT: String(await closedPort()), AZURITE_BLOB_PORT: String(await closedPort()) };
    const base = `http://127.0.0.1:${ports.PORT}`;
    const view = async (id: string) => (await (await fetch(`${base}/api/scoring-runs/${id}`)).json()) as { status: string; progress: { polls: number } };
    const until = async (pred: () => Promise<boolean>, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (await pred()) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    };

    let dev = await launchDevProcess(stateDir, ports);
    try {
      const scoringUri = dev.scoringUri;
      const start = await fetch(`${base}/api/scoring-runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          endpointUri: scoringUri,
          // The sample input npm run dev puts in place.
          inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
          output: { uri: "azureml://datastores/workspaceblobstore/paths/out/restart.csv" },
          pollIntervalSeconds: 1,
        }),
      });
      const id = ((await start.json()) as { id: string }).id;
      expect(await until(async () => (await view(id)).progress.polls >= 2, 20_000)).toBe(true);
      const killed = dev.child;
      killed.kill("SIGKILL");
      await new Promise((r) => killed.once("exit", r));

      dev = await launchDevProcess(stateDir, ports);
      expect(await until(async () => (await view(id)).status === "Succeeded", 30_000)).toBe(true);
      const jobs = JSON.parse(fs.readFileSync(path.join(stateDir, "batch-emulator.json"), "utf8")).jobs as unknown[];
      expect(jobs).toHaveLength(1);
    } finally {
      dev.child.kill("SIGKILL");
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }, 90_000);
});

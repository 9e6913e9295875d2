/**
 * `npm run demo`: the main job on the embedded default. Starts the dev host and the batch
 * emulator on loopback, submits one scoring run through the public HTTP API with the seed
 * pipeline's parameters (short poll interval), prints its progress and the final run view,
 * stops everything, and exits 0 only if the run succeeded.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchEmulator, lifecycles } from "./batch-emulator";
import { DevHost } from "./host/devHost";

async function main(): Promise<number> {
  const root = path.resolve(__dirname, "../..");
  const emulator = new BatchEmulator();
  emulator.setDefaultLifecycle(lifecycles.completesAfter(3));
  await emulator.start();
  process.env.AML_ARM_ENDPOINT ??= emulator.armEndpoint;
  process.env.SCORING_ALLOW_LOOPBACK ??= "true";
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "scoring-demo-"));
  const host = new DevHost({ appEntry: path.join(root, "dist", "src", "index.js"), clock: "wall", stateDir, log: () => undefined });
  await host.start();
  try {
    // The seed ADF pipeline's parameters, as they are.
    const seed = {
      endpoint_uri: emulator.scoringUri,
      api_version: "2022-10-01",
      poll_interval: "2",
      endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/demo/input/",
      endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/demo/output/predictions.csv",
    };
    console.log(`POST ${host.baseUrl}/api/scoring-runs\n${JSON.stringify(seed, null, 2)}`);
    const res = await fetch(`${host.baseUrl}/api/scoring-runs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(seed) });
    const started = (await res.json()) as { id: string; error?: unknown };
    if (res.status !== 202) throw new Error(`start answered ${res.status}: ${JSON.stringify(started)}`);
    const location = res.headers.get("location") as string;
    console.log(`→ ${res.status}, run ${started.id}\n  Location: ${location}`);

    const t0 = Date.now();
    for (;;) {
      const poll = await fetch(location);
      const view = (await poll.json()) as { status: string; job: { name: string; status: string } | null; progress: { phase: string; polls: number }; error: unknown };
      const secs = ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
      console.log(`  ${secs}s  ${poll.status}  ${view.status.padEnd(9)} phase=${view.progress.phase.padEnd(10)} job=${view.job ? `${view.job.name} ${view.job.status}` : "-"} polls=${view.progress.polls}`);
      if (poll.status !== 202) {
        console.log(`\nFinal run view (HTTP ${poll.status}):\n${JSON.stringify(view, null, 2)}`);
        return view.status === "Succeeded" ? 0 : 1;
      }
      if (Date.now() - t0 > 120_000) throw new Error("the run did not finish within 2 minutes");
      await new Promise((r) => setTimeout(r, Math.min(2000, Number(poll.headers.get("retry-after") ?? 2) * 1000)));
    }
  } finally {
    await host.stop();
    await emulator.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);

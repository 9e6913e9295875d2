/**
 * `npm run demo`: the main job on the embedded default. Starts Azurite, the batch emulator and
 * the dev host on loopback; puts a small input file on the workspace datastore; submits one
 * scoring run through the public HTTP API with the seed pipeline's parameters (2 s polls);
 * follows it; prints the final run view and the predictions file the job wrote; stops
 * everything. Exits 0 only if the run succeeded and its predictions file is there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lifecycles } from "./batch-emulator";
import { defaultDatastore, sampleInputCsv as inputCsv, startDevStack } from "./stack";

async function main(): Promise<number> {
  const t0 = Date.now();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "scoring-demo-"));
  const stack = await startDevStack({ clock: "wall", azurite: true, stateDir, defaultLifecycle: lifecycles.completesAfter(3), log: () => undefined });
  try {
    const { host, emulator, datastore } = stack;
    await datastore!.getBlockBlobClient("demo/input/customers.csv").upload(inputCsv, Buffer.byteLength(inputCsv));
    // The seed ADF pipeline's parameters, as they are.
    const seed = {
      endpoint_uri: emulator.scoringUri,
      api_version: "2022-10-01",
      poll_interval: "2",
      endpoint_input_uri: `azureml://datastores/${defaultDatastore.name}/paths/demo/input/`,
      endpoint_output_uri: `azureml://datastores/${defaultDatastore.name}/paths/demo/output/predictions.csv`,
    };
    console.log(`Runs console ${host.baseUrl}/api/console (while the demo runs; npm run dev keeps one open)\n`);
    console.log(`POST ${host.baseUrl}/api/scoring-runs\n${JSON.stringify(seed, null, 2)}`);
    const res = await fetch(`${host.baseUrl}/api/scoring-runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(seed),
    });
    const started = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`the start answered ${res.status}: ${JSON.stringify(started)}`);
    const location = res.headers.get("location") as string;
    console.log(`→ ${res.status} Accepted, run ${started.id}\n  Location: ${location}\n`);

    const runStart = Date.now();
    for (;;) {
      const poll = await fetch(location);
      const view = (await poll.json()) as {
        status: string;
        job: { name: string; status: string } | null;
        progress: { phase: string; polls: number };
        error: unknown;
      };
      const secs = ((Date.now() - runStart) / 1000).toFixed(1).padStart(5);
      console.log(
        `  ${secs}s  HTTP ${poll.status}  ${view.status.padEnd(9)} phase=${view.progress.phase.padEnd(10)} job=${view.job ? `${view.job.status}` : "-"} polls=${view.progress.polls}`,
      );
      if (poll.status !== 202) {
        console.log(`\nFinal run view (HTTP ${poll.status}):\n${JSON.stringify(view, null, 2)}`);
        if (view.status !== "Succeeded") return 1;
        break;
      }
      if (Date.now() - runStart > 120_000) throw new Error("the run did not finish within 2 minutes");
      await new Promise((r) => setTimeout(r, Math.min(2000, Number(poll.headers.get("retry-after") ?? 2) * 1000)));
    }
    await emulator.whenHooksSettled();
    const predictions = (await datastore!.getBlobClient("demo/output/predictions.csv").downloadToBuffer()).toString("utf8");
    console.log(`\nPredictions written by the job (${seed.endpoint_output_uri}):\n${predictions}`);
    console.log(`Demo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
    return 0;
  } finally {
    await stack.stop();
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

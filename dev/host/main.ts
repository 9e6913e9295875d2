/**
 * `npm run dev`: the dev host on PORT (default 7071) with the batch emulator and Azurite, on
 * loopback and the wall clock. Instances, emulator jobs and blobs live under DEV_STATE_DIR
 * (default .dev/state), so a host killed and started again resumes its runs. Settings already in
 * the environment win over these defaults, as app settings do in Azure.
 */
import * as path from "node:path";
import { lifecycles } from "../batch-emulator";
import { defaultDatastore, repoRoot, sampleInputCsv, startDevStack } from "../stack";

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 7071);
  const stateDir = (process.env.DEV_STATE_DIR ??= path.join(repoRoot, ".dev", "state"));
  const stack = await startDevStack({
    clock: "wall",
    port,
    emulatorPort: Number(process.env.BATCH_EMULATOR_PORT ?? port + 100),
    azurite: { port: Number(process.env.AZURITE_BLOB_PORT ?? 10000), location: path.join(stateDir, "azurite") },
    stateDir,
    // One status step per poll: at a 5 s poll interval a run takes about half a minute.
    defaultLifecycle: lifecycles.completesAfter(4),
    keepEnv: true,
  });
  const { host, emulator, azurite, datastore } = stack;
  // Something to score in the printed request's input folder (pre-flight refuses an empty one).
  const sample = datastore!.getBlockBlobClient("scoring/input/customers.csv");
  if (!(await sample.exists())) await sample.upload(sampleInputCsv, Buffer.byteLength(sampleInputCsv));

  const body = JSON.stringify({
    endpointUri: emulator.scoringUri,
    inputs: { input_data: { type: "uri_folder", uri: `azureml://datastores/${defaultDatastore.name}/paths/scoring/input/` } },
    output: { uri: `azureml://datastores/${defaultDatastore.name}/paths/scoring/output/predictions-$(date +%s).csv` },
    pollIntervalSeconds: 5,
  });
  console.log(`
Dev host      ${host.baseUrl}/api/scoring-runs
Runs console  ${host.baseUrl}/api/console   (open it in a browser; no key needed here)
Scoring URI   ${emulator.scoringUri}   (batch emulator; ARM at ${process.env.AML_ARM_ENDPOINT})
Azurite blob  ${azurite?.blobEndpoint}   (datastore ${defaultDatastore.name} = container ${defaultDatastore.container})
State         ${stateDir}

Start a run:
  curl -si -X POST ${host.baseUrl}/api/scoring-runs -H 'content-type: application/json' -d "${body.replace(/"/g, '\\"')}"
Follow it:
  curl -si <the Location header>
Purge runs that ended more than SCORING_RETENTION_DAYS ago (the dev host fires timers only when asked):
  curl -si -X POST ${host.baseUrl}/admin/functions/purgeOldRuns
Ctrl-C stops the host, the emulator and Azurite.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping…");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

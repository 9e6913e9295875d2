/**
 * `npm run dev`: the dev host on PORT (default 7071) with the batch emulator, on loopback and the
 * wall clock, persisting instances to DEV_STATE_DIR so a restarted host resumes its runs.
 * Settings already in the environment win over these defaults (as app settings do in Azure).
 */
import * as path from "node:path";
import { BatchEmulator, lifecycles } from "../batch-emulator";
import { DevHost } from "./devHost";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "../../..");
  const port = Number(process.env.PORT ?? 7071);
  const emulatorPort = Number(process.env.BATCH_EMULATOR_PORT ?? port + 100);
  process.env.DEV_STATE_DIR ??= path.join(root, ".dev", "state");
  // The emulator keeps its jobs beside the host's instances, so a restarted stack resumes both.
  const emulator = new BatchEmulator({ port: emulatorPort, stateFile: path.join(process.env.DEV_STATE_DIR, "batch-emulator.json") });
  // Jobs progress one status step per poll; a run at a 5 s poll interval finishes in about half a minute.
  emulator.setDefaultLifecycle(lifecycles.completesAfter(4));
  await emulator.start();

  const defaults: Record<string, string> = {
    AML_ARM_ENDPOINT: emulator.armEndpoint,
    SCORING_ALLOW_LOOPBACK: "true",
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
  };
  for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;

  const host = new DevHost({ appEntry: path.join(root, "dist", "src", "index.js"), port, clock: "wall", stateDir: process.env.DEV_STATE_DIR });
  await host.start();

  const body = JSON.stringify({
    endpointUri: emulator.scoringUri,
    inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
    output: { uri: "azureml://datastores/workspaceblobstore/paths/scoring/output/predictions.csv" },
    pollIntervalSeconds: 5,
  });
  console.log(`\nDev host:      ${host.baseUrl}/api/scoring-runs`);
  console.log(`Scoring URI:   ${emulator.scoringUri}   (batch emulator; ARM at ${process.env.AML_ARM_ENDPOINT})`);
  console.log(`State:         ${process.env.DEV_STATE_DIR}`);
  console.log(`Try:\n  curl -si -X POST ${host.baseUrl}/api/scoring-runs -H 'content-type: application/json' -d '${body}'\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping…");
    await host.stop();
    await emulator.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});

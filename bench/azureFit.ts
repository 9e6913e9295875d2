/**
 * What living within Azure's rules costs, measured through the dev host (strict, as Azure) and the
 * emulator on the virtual clock:
 * - ARM calls per invoke: the Jobs List pages the invoke reads to find a job it may already have
 *   created, on the happy path and when the invoke's answer is lost;
 * - the largest custom status any run set (the largest valid request, a failed job with the
 *   longest error), against Durable's 16 KB.
 */
import { lifecycles } from "../dev/batch-emulator";
import { pipelineDeployment, startDevStack } from "../dev/stack";
import { largestStartBody, longestFailureText } from "./largestRequest";

export interface AzureFitFigures {
  armCallsPerInvokeHappy: number;
  armCallsPerInvokeLostAnswer: number;
  customStatusWorstKb: number;
}

export async function measureAzureFit(runs: number): Promise<AzureFitFigures> {
  const stack = await startDevStack({ clock: "virtual", log: () => undefined, env: { SCORING_POLL_MODE: "fixed" } });
  const { host, emulator } = stack;
  const api = async (body: Record<string, unknown>): Promise<string> => {
    const res = await fetch(`${host.baseUrl}/api/scoring-runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const body = (i: string, extra: Record<string, unknown> = {}) => ({
    endpointUri: emulator.scoringUri,
    inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
    output: { uri: `azureml://datastores/workspaceblobstore/paths/out/fit-${i}.csv` },
    pollIntervalSeconds: 60,
    ...extra,
  });
  const toEnd = (id: string) => host.engine.runUntil(() => ["Completed", "Failed"].includes(host.engine.get(id)?.runtimeStatus ?? ""));
  const lists = () => emulator.requestsFor("listJobs").length;
  try {
    emulator.setDefaultLifecycle(lifecycles.completesAfter(1));
    let before = lists();
    for (let i = 0; i < runs; i++) await toEnd(await api(body(`happy-${i}`)));
    const happy = (lists() - before) / runs;

    before = lists();
    for (let i = 0; i < runs; i++) {
      emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
      await toEnd(await api(body(`lost-${i}`)));
    }
    const lost = (lists() - before) / runs;

    emulator.configure({ failureText: "services" });
    emulator.enqueueLifecycle(lifecycles.failsWith(longestFailureText, 2));
    await toEnd(await api(largestStartBody(body("largest", { preflight: "warn", deployment: pipelineDeployment.name }))));
    const worst = Math.max(...host.engine.customStatusHighWater.values());
    return { armCallsPerInvokeHappy: happy, armCallsPerInvokeLostAnswer: lost, customStatusWorstKb: worst / 1024 };
  } finally {
    await stack.stop();
  }
}

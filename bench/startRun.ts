/** Starts one scoring run through the public HTTP API of a bench's stack; returns its id. */
import type { DevStack } from "../dev/stack";

export async function startRun(stack: DevStack, output: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${stack.host.baseUrl}/api/scoring-runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      endpointUri: stack.emulator.scoringUri,
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
      output: { uri: `azureml://datastores/workspaceblobstore/paths/out/${output}.csv` },
      pollIntervalSeconds: 120,
      ...extra,
    }),
  });
  return ((await res.json()) as { id: string }).id;
}

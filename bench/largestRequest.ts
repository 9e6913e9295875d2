/**
 * The largest valid start request: tags at their limits, and as many long-named data inputs as
 * fit under the 64 KB body limit. What the custom-status budget is measured against.
 */
import { maxStartBodyBytes } from "../src/http/startRun";

export function largestStartBody(base: Record<string, unknown>): Record<string, unknown> {
  const tags: Record<string, string> = {};
  for (let i = 0; i < 50; i++) tags[`${String(i).padStart(2, "0")}${"k".repeat(126)}`] = "v".repeat(256);
  const body = { ...base, tags, inputs: {} };
  const inputs: Record<string, unknown> = {};
  for (let i = 0; ; i++) {
    const name = `input_${String(i).padStart(4, "0")}_${"n".repeat(200)}`;
    inputs[name] = { type: "uri_file", uri: `azureml://datastores/workspaceblobstore/paths/missing/${"p".repeat(180)}/${i}.csv` };
    if (Buffer.byteLength(JSON.stringify({ ...body, inputs })) > maxStartBodyBytes) {
      delete inputs[name];
      return { ...body, inputs };
    }
  }
}

/** The longest failure text the app keeps from Azure ML (its messages are capped at 2,000 characters). */
export const longestFailureText = `Mini batch failed: ${"e".repeat(1981)}`;

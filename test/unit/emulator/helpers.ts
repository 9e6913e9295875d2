/** Shared test helpers: start an emulator on an ephemeral port and talk to it with global fetch. */
import { afterEach, beforeEach } from "vitest";
import { BatchEmulator, type BatchEmulatorOptions } from "../../../dev/batch-emulator";

export const API = "2022-10-01";

/** The seed pipeline's body, in the documented PascalCase form. */
export const pascalBody = {
  properties: {
    InputData: {
      input_data: { JobInputType: "UriFolder", Uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" },
    },
    OutputData: {
      score: { JobOutputType: "UriFile", Uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" },
    },
  },
};

/** Creates a fresh emulator per test (port 0) and stops it afterwards. */
export function useEmulator(options: BatchEmulatorOptions = {}): { readonly emu: BatchEmulator } {
  const holder: { emu: BatchEmulator | null } = { emu: null };
  beforeEach(async () => {
    holder.emu = new BatchEmulator(options);
    await holder.emu.start();
  });
  afterEach(async () => {
    await holder.emu?.stop();
    holder.emu = null;
  });
  return {
    get emu(): BatchEmulator {
      if (holder.emu === null) throw new Error("emulator not started");
      return holder.emu;
    },
  };
}

export async function invoke(
  emu: BatchEmulator,
  body: unknown = pascalBody,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(emu.scoringUri, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : JSON.parse(text), headers: res.headers };
}

export function jobUrl(emu: BatchEmulator, name: string, suffix = "", api: string | null = API): string {
  const query = api === null ? "" : `?api-version=${api}`;
  return `${emu.armEndpoint}${emu.jobPath(name)}${suffix}${query}`;
}

export async function getJob(emu: BatchEmulator, name: string): Promise<{ status: number; json: any }> {
  const res = await fetch(jobUrl(emu, name));
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : JSON.parse(text) };
}

export async function cancelJob(emu: BatchEmulator, name: string): Promise<number> {
  const res = await fetch(jobUrl(emu, name, "/cancel"), { method: "POST" });
  await res.arrayBuffer();
  return res.status;
}

/** Polls Jobs Get `n` times and returns the statuses seen. */
export async function pollStatuses(emu: BatchEmulator, name: string, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) seen.push((await getJob(emu, name)).json.properties.status);
  return seen;
}

export async function createJob(emu: BatchEmulator, headers: Record<string, string> = {}): Promise<string> {
  const res = await invoke(emu, pascalBody, headers);
  if (res.status !== 201) throw new Error(`invoke answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json.name as string;
}

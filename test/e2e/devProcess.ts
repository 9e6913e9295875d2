import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { closedPort } from "../fixtures/ports";

/** `npm run dev`'s entry as an OS process of its own, on free ports, ready once it printed its banner. */
export interface DevProcess {
  child: ChildProcess;
  base: string;
  port: number;
  scoringUri: string;
  /** Everything the process printed so far. */
  output: () => string;
}

const devMain = path.resolve(__dirname, "../../dist/dev/host/main.js");

/** Starts the dev host process on `stateDir` with fresh ports; `env` adds settings (or fixes the ports, to restart in place). */
export async function launchDevProcess(stateDir: string, env: Record<string, string> = {}): Promise<DevProcess> {
  const childEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(await closedPort()),
    BATCH_EMULATOR_PORT: String(await closedPort()),
    AZURITE_BLOB_PORT: String(await closedPort()),
    DEV_STATE_DIR: stateDir,
    ...env,
  };
  // The child sets these itself; values inherited from this test process would point elsewhere.
  for (const k of ["AML_ARM_ENDPOINT", "AML_WORKSPACE_ID", "AzureWebJobsStorage", "WEBSITE_HOSTNAME"]) delete childEnv[k];
  const port = Number(childEnv.PORT);
  const child = spawn(process.execPath, [devMain], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const scoringUri = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Scoring URI\s+(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`dev host exited (${code}): ${out}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, port, scoringUri, output: () => out };
}

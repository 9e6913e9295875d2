/**
 * Runs the built CLI (dist/cli/main.js) as a child process, the way a pipeline would: no TTY,
 * stdout and stderr captured. The dev host lives in the test process; the child calls it over HTTP.
 */
import { type ChildProcess, execFile } from "node:child_process";
import * as path from "node:path";

export const cliMain = path.resolve(__dirname, "../../dist/cli/main.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Called once the child runs (e.g. to send it SIGINT). */
  onChild?(child: ChildProcess): void;
}

/** The test process's environment without anything that would steer the CLI. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("SCORING_")) env[k] = v;
  }
  return env;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = { ...baseEnv(), ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = execFile(process.execPath, [cliMain, ...args], { env, timeout: options.timeoutMs ?? 25_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : null) : 0;
      resolve({ code, signal: child.signalCode, stdout: String(stdout), stderr: String(stderr) });
    });
    options.onChild?.(child);
  });
}

/** A loopback port nothing listens on. */
export { closedPort } from "../fixtures/ports";

/** The run id from `start`'s human output ("run <id> started (...)"). */
export function startedId(stdout: string): string {
  const m = /^run (\S+) started/m.exec(stdout);
  if (!m) throw new Error(`no run id in:\n${stdout}`);
  return m[1]!;
}

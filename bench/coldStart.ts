/**
 * Cold start: time to load an app entry in a fresh process (what every Functions scale-out
 * pays; the bench loads the deploy package's, see deployPackage.ts), against a fresh process
 * that only requires durable-functions, @azure/functions, @azure/identity and
 * @azure/storage-blob from the repository's node_modules. Median of N alternating runs.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { appEntry, repoRoot } from "../dev/stack";

export interface ColdStartFigures {
  appMs: number;
  baselineMs: number;
  runs: number;
}

const timed = (body: string) => `const t=process.hrtime.bigint();${body};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;

function once(script: string): number {
  return Number(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
}

export function measureColdStart(runs: number, entry: string = appEntry): ColdStartFigures {
  // The app as a worker loads it: the host's @azure/functions-core present, then the entry.
  const app = timed(
    `require(${JSON.stringify(path.join(repoRoot, "dist/dev/host/functionsCore.js"))}).installFunctionsCore();require(${JSON.stringify(entry)})`,
  );
  const baseline = timed(
    ["durable-functions", "@azure/functions", "@azure/identity", "@azure/storage-blob"].map((m) => `require(${JSON.stringify(m)})`).join(";"),
  );
  const appTimes: number[] = [];
  const baseTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    appTimes.push(once(app));
    baseTimes.push(once(baseline));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { appMs: median(appTimes), baselineMs: median(baseTimes), runs };
}

/**
 * Benches that run in a process of their own, so their memory and figures are theirs alone: the
 * parent runs `node dist/bench/<name>.js <args…>` and reads the JSON the child prints last.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../dev/stack";

export function inFreshProcess<T>(script: string, args: Array<string | number>): T {
  const out = execFileSync(process.execPath, [path.join(repoRoot, "dist", "bench", `${script}.js`), ...args.map(String)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop() as string) as T;
}

/** The child's side: measure, print the figures as one JSON line, exit (0, or 1 with the error). */
export function printFiguresAndExit(measure: Promise<unknown>): void {
  measure.then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (err) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}

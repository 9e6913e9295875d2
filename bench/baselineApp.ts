/**
 * Another commit's app, built for the bench: its `src/` taken from git and bundled as
 * `npm run build` bundles this tree's, under bench/results/ (so its packages resolve from this
 * repository's node_modules). Lets a row measure the old format in the same run as the new.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleApp, bundleOutfile } from "../dev/bundle";
import { repoRoot } from "../dev/stack";

/** The app bundle of `commit`, built once; null when git or the commit is not at hand (an exported tree). */
export function baselineAppEntry(commit: string): string | null {
  const root = path.join(repoRoot, "bench", "results", `app-${commit.slice(0, 12)}`);
  const entry = path.join(root, bundleOutfile);
  if (fs.existsSync(entry)) return entry;
  let tar: Buffer;
  try {
    tar = execFileSync("git", ["-C", repoRoot, "archive", "--format=tar", commit, "src"], { maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  execFileSync("tar", ["-x", "-C", root], { input: tar });
  bundleApp(root);
  return entry;
}

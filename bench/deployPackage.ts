/**
 * The deploy package (`npm run package`): its zip against what azd zipped before (zipped the
 * same way, in the same run), and the cold start of its entry in an extracted copy, where
 * nothing but the package exists, against loading the SDKs alone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildPackage, packageMain } from "../dev/package/buildPackage";
import { filesUnder, unzip, zipFiles } from "../dev/package/zip";
import { repoRoot } from "../dev/stack";
import { measureColdStart } from "./coldStart";
import { type Row, row } from "./rows";
import { todaysDeployFiles } from "./todaysDeploy";

export const packageTargetMb = 15;
const mb = (bytes: number) => bytes / 1e6;

export async function measureDeployPackage(coldStarts: number): Promise<Row[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-package-"));
  try {
    const built = await buildPackage(repoRoot, path.join(work, "package"));
    const zip = await zipFiles(filesUnder(built.dir));
    const extracted = path.join(work, "extracted");
    unzip(zip, extracted);
    const today = await zipFiles(todaysDeployFiles(repoRoot));
    const cold = measureColdStart(coldStarts, path.join(extracted, packageMain));
    return [
      row("deploy package before (dist/app + production node_modules), zip, MB", mb(today.length), null, "report", true),
      row("deploy package (npm run package), zip, MB", mb(zip.length), mb(today.length), `≤ ${packageTargetMb} MB`, mb(zip.length) <= packageTargetMb),
      row(
        `cold start: load the deploy package's entry, extracted, median of ${cold.runs} fresh processes, ms`,
        cold.appMs,
        cold.baselineMs,
        "≤ 0.5 × SDKs alone",
        cold.appMs <= 0.5 * cold.baselineMs,
      ),
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

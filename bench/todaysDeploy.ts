/**
 * What azd deployed before the lean package, as a file list to zip: host.json, package.json,
 * dist/app (the bundle and its source map) and the production node_modules as
 * `npm ci --omit=dev` would leave them: package-lock.json's packages not marked `dev` (those
 * marked `devOptional` stay, as npm keeps them), the ones present in node_modules (optional
 * packages for other platforms are not). Read from disk, no install. A floor: azd's own
 * `npm install` keeps the devDependencies too, and its zip also took dist/cli,
 * package-lock.json and node_modules/.bin.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type ZipSource, filesUnder } from "../dev/package/zip";

interface LockPackage {
  dev?: boolean;
  link?: boolean;
}

/** A package's own files: its nested node_modules holds other lock entries, listed on their own. */
function ownFiles(root: string, dir: string): ZipSource[] {
  const inside = (rel: string) => ({ name: `${dir}/${rel}`, file: path.join(root, dir, rel) });
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === "node_modules" ? [] : filesUnder(path.join(root, dir, e.name)).map((f) => inside(`${e.name}/${f.name}`));
    return e.isFile() ? [inside(e.name)] : [];
  });
}

export function productionModules(root: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockPackage> };
  return Object.entries(lock.packages)
    .filter(([dir, p]) => dir.startsWith("node_modules/") && !p.dev && !p.link && fs.existsSync(path.join(root, dir)))
    .map(([dir]) => dir);
}

export function todaysDeployFiles(root: string): ZipSource[] {
  const top = ["host.json", "package.json"].map((name) => ({ name, file: path.join(root, name) }));
  const app = filesUnder(path.join(root, "dist", "app")).map((f) => ({ name: `dist/app/${f.name}`, file: f.file }));
  return [...top, ...app, ...productionModules(root).flatMap((dir) => ownFiles(root, dir))];
}

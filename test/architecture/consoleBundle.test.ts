/**
 * The runs console's build (dist/console, docs/console.md): small, a production build, and apart
 * from the app. The app's entry holds none of it (the files are read from disk when the console is
 * asked for), so the cold start is the same with or without it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { appEntry, repoRoot } from "../../dev/stack";

const consoleDir = path.join(repoRoot, "dist", "console");
const files = () => fs.readdirSync(consoleDir);
const gzipped = (name: string) => gzipSync(fs.readFileSync(path.join(consoleDir, name)), { level: 9 }).length;

describe("the console's build", () => {
  it("is one page, one script and one style sheet, with content-hashed names", () => {
    const built = files();
    expect(built).toContain("index.html");
    expect(built.filter((f) => /^index-[A-Za-z0-9_-]{8,}\.js$/.test(f))).toHaveLength(1);
    expect(built.filter((f) => /^index-[A-Za-z0-9_-]{8,}\.css$/.test(f))).toHaveLength(1);
    expect(built.filter((f) => f.endsWith(".map"))).toEqual([]);
  });

  it("loads fast: under 25 KB of script and 30 KB in all, gzipped", () => {
    const js = files().find((f) => f.endsWith(".js"))!;
    expect(gzipped(js)).toBeLessThan(25_000);
    expect(files().reduce((sum, f) => sum + gzipped(f), 0)).toBeLessThan(30_000);
  });

  it("is a production build (no development JSX with source file names), whatever NODE_ENV the build ran under", () => {
    const js = fs.readFileSync(
      path.join(
        consoleDir,
        files().find((f) => f.endsWith(".js"))!,
      ),
      "utf8",
    );
    // Development JSX passes each element's source position: `fileName:` in every call.
    expect(/\bfileName\b|jsxDEV/.test(js)).toBe(false);
  });

  it("is not in the app's entry: the cold start loads none of it", () => {
    const entry = fs.readFileSync(appEntry, "utf8");
    const js = fs.readFileSync(
      path.join(
        consoleDir,
        files().find((f) => f.endsWith(".js"))!,
      ),
      "utf8",
    );
    // Not vacuous: the entry does serve the console (its route and CSP are there).
    expect(entry).toContain("script-src 'self'");
    for (const marker of ["Skip to content", "Use this key", "scoring-console:key-required"]) {
      expect(js.includes(marker), `${marker} in the console`).toBe(true);
      expect(entry.includes(marker), `${marker} in the app's entry`).toBe(false);
    }
  });
});

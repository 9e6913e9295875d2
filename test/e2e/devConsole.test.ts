/**
 * `npm run dev` prints the runs console's URL, and that URL serves the console from the built app
 * as it runs in its own process (dist/app/index.js reading dist/console beside it): the page, and
 * every file it links.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DevProcess, launchDevProcess } from "./devProcess";

let dev: DevProcess | undefined;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "dev-console-"));

afterAll(async () => {
  if (dev && dev.child.exitCode === null) {
    const exited = new Promise((r) => dev!.child.once("exit", r));
    dev.child.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("npm run dev and the runs console", () => {
  it("prints the console's URL, which serves the page and the files it links", async () => {
    dev = await launchDevProcess(stateDir);
    await expect.poll(() => /Runs console\s+(\S+)/.exec(dev!.output())?.[1]).toBe(`${dev.base}/api/console`);
    const page = await fetch(`${dev.base}/api/console`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const linked = [...html.matchAll(/(?:src|href)="(\/api\/console\/[^"]+)"/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThanOrEqual(3); // script, style sheet, icon
    for (const file of linked) expect((await fetch(`${dev.base}${file}`)).status, file).toBe(200);
  }, 60_000);
});

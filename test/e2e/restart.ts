import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { DevHost } from "../../dev/host/devHost";
import { appEntry, type Stack, startStack } from "./stack";

/**
 * A kill and a restart: `beforeKill` runs a stack on a fresh state directory until it kills the
 * host and returns the run id; a second host on the same directory and clock then runs that run
 * to its end (the emulator, in this process, lives on). `afterRestart` sees the final view, and
 * every execution must replay from its history with identical actions.
 */
export async function killAndRestart(
  beforeKill: (stack: Stack) => Promise<string>,
  afterRestart: (view: any, stack: Stack) => void | Promise<void>,
  options: { env?: Record<string, string>; route?: "scoring-runs" | "scoring-batches" } = {},
): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "restart-"));
  const first = await startStack({ clock: "virtual", stateDir, env: options.env });
  try {
    const id = await beforeKill(first);
    await first.host.stop();
    const again = new DevHost({ appEntry, clock: first.clock, stateDir, log: () => undefined });
    await again.start();
    try {
      await again.engine.runUntil(() => ["Completed", "Failed"].includes(again.engine.get(id)?.runtimeStatus ?? ""));
      const view = await (await fetch(`${again.baseUrl}/api/${options.route ?? "scoring-runs"}/${id}`)).json();
      await afterRestart(view, first);
      for (const r of await again.engine.verifyReplay(id)) expect(r.identical, r.detail).toBe(true);
    } finally {
      await again.stop();
    }
  } finally {
    await first.emulator.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

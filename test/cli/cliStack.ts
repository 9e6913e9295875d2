import { afterAll, beforeAll, beforeEach } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "../e2e/stack";

/**
 * The dev host + emulator a CLI suite runs against (virtual clock, advancing when idle; jobs
 * complete after 2 polls unless a test says otherwise), and the env pointing the CLI at it.
 */
export function useCliStack(): { readonly stack: Stack; readonly env: Record<string, string> } {
  const ctx = {} as { stack: Stack; env: Record<string, string> };
  beforeAll(async () => {
    ctx.stack = await startStack({ clock: "virtual", autoAdvance: true });
    ctx.env = { SCORING_BASE_URL: ctx.stack.host.baseUrl };
  });
  afterAll(async () => ctx.stack?.stop());
  beforeEach(() => {
    ctx.stack.emulator.reset();
    ctx.stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
    ctx.stack.host.engine.autoAdvance = true;
  });
  return ctx;
}

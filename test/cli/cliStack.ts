import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, useStack } from "../e2e/stack";

/**
 * The dev host + emulator a CLI suite runs against (virtual clock, advancing when idle; jobs
 * complete after 2 polls unless a test says otherwise), and the env pointing the CLI at it.
 */
export function useCliStack(): { readonly stack: Stack; readonly env: Record<string, string> } {
  const ctx = useStack({ autoAdvance: true }, (stack) => {
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
    stack.host.engine.autoAdvance = true;
  });
  return {
    get stack() {
      return ctx.stack;
    },
    get env() {
      return { SCORING_BASE_URL: ctx.stack.host.baseUrl };
    },
  };
}

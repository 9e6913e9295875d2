import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, useStack } from "../e2e/stack";

/**
 * The dev host + emulator a CLI suite runs against (virtual clock, advancing when idle; jobs
 * complete after 2 polls unless a test says otherwise), and the env pointing the CLI at it. With
 * `azurite`, the datastore is real, so outputs can be listed.
 */
export function useCliStack(options: { azurite?: boolean } = {}): { readonly stack: Stack; readonly env: Record<string, string> } {
  const ctx = useStack({ autoAdvance: true, ...options }, (stack) => {
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

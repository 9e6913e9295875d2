/**
 * What every activity returns: expected failures as values, so the orchestrator decides what to
 * do with them; a value it can store in the history whatever went wrong.
 */
import { toErrorInfo } from "../batch/errors";
import type { ActivityResult } from "../batch/types";

export async function asResult<T>(work: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

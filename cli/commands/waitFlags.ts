/** `--max-wait <s>`: whole seconds to wait for a run before giving up (exit 3). */
import { parseSeconds } from "../startArgs";

export function parseMaxWait(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : parseSeconds("--max-wait", raw);
}

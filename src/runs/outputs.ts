/** The request's outputs as a list, in name order: what activities and checks take. Pure. */
import type { JobOutput } from "../batch/types";
import type { ScoringRunRequest } from "./types";

export function outputList(request: Pick<ScoringRunRequest, "outputs">): JobOutput[] {
  return Object.entries(request.outputs)
    .map(([name, o]) => ({ name, type: o.type, uri: o.uri }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

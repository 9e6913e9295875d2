/** What every command gets: the API client, the output, and how to name this CLI in hints. */
import type { ApiClient } from "./apiClient";
import type { Io } from "./io";

export interface CommandContext {
  client: ApiClient;
  io: Io;
  /** --json: machine output on stdout (the run view, the list page, or the error body). */
  json: boolean;
  /** How to call this CLI again in hints, with --base-url when it was given as a flag. */
  self: string;
}

/** Exit codes of `scoring-run` (shown in `--help`; scripts and pipelines branch on them). */
export const ExitCode = {
  /** The command did what it was asked; with --wait: the run Succeeded. */
  Ok: 0,
  /** The run Failed, or the API refused: unknown run (404), already ended / key conflict (409). */
  Failed: 1,
  /** The run ended Canceled. */
  Canceled: 2,
  /** --max-wait passed before the run ended (the run goes on). */
  WaitTimedOut: 3,
  /** Bad command line, or the API answered 400 (invalid request). */
  Usage: 64,
  /** The API could not be reached or answered an unexpected HTTP error (401, 403, 5xx, not JSON). */
  Unavailable: 69,
  /** Ctrl-C while waiting: waiting stopped, the run goes on. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodesHelp = `
Exit codes:
  0    done; with --wait: the run Succeeded
  1    the run Failed, or the API refused (unknown run, run already ended, Idempotency-Key conflict)
  2    the run was Canceled
  3    --max-wait passed before the run ended (the run goes on)
  64   usage error, or the API answered 400 (each field: message is printed)
  69   the API cannot be reached, or answered an unexpected HTTP error (401, 403, 5xx, not JSON)
  130  interrupted (Ctrl-C) while waiting: the run goes on; cancel it with "scoring-run cancel <id>"
`;

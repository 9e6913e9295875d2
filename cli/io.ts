/**
 * Where the CLI writes: results on stdout, messages and progress on stderr. Every write goes
 * through `redact`, so the function key cannot reach the terminal or a CI log even by accident.
 */
import * as tty from "node:tty";

export interface Io {
  /** Raw text to stdout / stderr (commander's help and errors). */
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** A result line (stdout). */
  out(line: string): void;
  /** A message line (stderr). */
  err(line: string): void;
  /** The stderr stream, for the live progress line (its text goes through `redact` first). */
  readonly errStream: NodeJS.WriteStream;
  /** A live, redrawn progress line is possible (interactive terminal, not CI). */
  readonly interactive: boolean;
  /** Calls `handler` on the first Ctrl-C (SIGINT); returns the function that stops listening. */
  onInterrupt(handler: () => void): () => void;
  /** From now on, replace `secret` wherever it would be written. */
  addSecret(secret: string | undefined): void;
  redact(text: string): string;
}

/** Shorter secrets are not masked: masking every "a" would garble the output and hide nothing. */
const MIN_SECRET_LENGTH = 6;

/**
 * nanospinner redraws only when fd 1 is a terminal (and not CI, TERM=dumb); we draw on stderr, so
 * it must be one too, with a known width (nanospinner counts wrapped lines by it when erasing).
 */
export function isInteractive(env: NodeJS.ProcessEnv = process.env): boolean {
  return tty.isatty(1) && tty.isatty(2) && (process.stderr.columns ?? 0) > 0 && env.TERM !== "dumb" && !("CI" in env);
}

export function nodeIo(): Io {
  const secrets: string[] = [];
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join("***"), text);
  const writeOut = (text: string) => void process.stdout.write(redact(text));
  const writeErr = (text: string) => void process.stderr.write(redact(text));
  return {
    writeOut,
    writeErr,
    out: (line) => writeOut(`${line}\n`),
    err: (line) => writeErr(`${line}\n`),
    errStream: process.stderr,
    interactive: isInteractive(),
    onInterrupt(handler) {
      process.once("SIGINT", handler);
      return () => void process.off("SIGINT", handler);
    },
    addSecret(secret) {
      if (secret && secret.length >= MIN_SECRET_LENGTH && !secrets.includes(secret)) secrets.push(secret);
    },
    redact,
  };
}

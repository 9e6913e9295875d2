/** Entry of `scoring-run` (bin/scoring-run.js requires this): runs the command line and exits with its code. */
import { nodeIo } from "./io";
import { runCli } from "./program";

function exit(code: number): void {
  // Let stdout/stderr drain (pipes, files) before leaving; open sockets or timers must not keep us alive.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

// A reader that went away (`scoring-run list | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

runCli(process.argv.slice(2), nodeIo()).then(exit, (err: unknown) => {
  process.stderr.write(`error: unexpected: ${err instanceof Error ? err.message : String(err)}\n`);
  exit(1);
});

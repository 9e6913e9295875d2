/** The `scoring-run` command line (commander): global options, the four commands, exit codes. */
import { Command, CommanderError, Option } from "commander";
import { ApiClient } from "./apiClient";
import { batchCommand } from "./commands/batch";
import { cancelCommand } from "./commands/cancel";
import { rerunCommand } from "./commands/rerun";
import { listCommand } from "./commands/list";
import { startCommand } from "./commands/start";
import { statusCommand } from "./commands/status";
import type { CommandContext } from "./context";
import { ExitCode, exitCodesHelp } from "./exitCodes";
import type { Io } from "./io";
import { reportError } from "./reportError";
import { UsageError } from "./usageError";

export const DEFAULT_BASE_URL = "http://localhost:7071";

interface GlobalOptions {
  baseUrl: string;
  key?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Visible ASCII only: anything else cannot go in an HTTP header (and fetch would echo it in its error). */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("scoring-run");

  const context = (cmd: Command): CommandContext => {
    const g = cmd.optsWithGlobals<GlobalOptions>();
    if (g.key !== undefined && !HEADER_SAFE.test(g.key)) throw new UsageError("--key / SCORING_FUNCTION_KEY holds characters an HTTP header cannot carry");
    const client = new ApiClient({ baseUrl: g.baseUrl, ...(g.key ? { key: g.key } : {}) });
    const fromFlag = program.getOptionValueSource("baseUrl") === "cli";
    return { client, io, json: g.json === true, self: fromFlag ? `scoring-run --base-url ${client.displayBase}` : "scoring-run" };
  };

  /** Runs a command, turning its errors into messages and exit codes. */
  const run =
    (body: (ctx: CommandContext, cmd: Command) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const json = cmd.optsWithGlobals<GlobalOptions>().json === true;
      try {
        setExit(await body(context(cmd), cmd));
      } catch (err) {
        setExit(reportError(err, io, json));
      }
    };

  program
    .description(
      "Start, follow, cancel and list scoring runs (Azure ML batch endpoint jobs) through the app's HTTP API.\n" +
        "Prefer SCORING_FUNCTION_KEY to --key: command-line arguments are visible to other processes.",
    )
    .addOption(new Option("--base-url <url>", "base URL of the function app").env("SCORING_BASE_URL").default(DEFAULT_BASE_URL))
    .addOption(new Option("--key <key>", "function key, sent as x-functions-key (never printed)").env("SCORING_FUNCTION_KEY"))
    .option("--json", "machine output on stdout: the run view (list: the page; errors: the error body)")
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", exitCodesHelp)
    .configureOutput({ writeOut: (s) => io.writeOut(s), writeErr: (s) => io.writeErr(s) })
    .exitOverride();

  program
    .command("start")
    .description("start a scoring run (POST /api/scoring-runs): prints the run id and status URL; --wait follows it to the end")
    .requiredOption("--endpoint <uri>", "batch endpoint scoring URI, https://<endpoint>.<region>.inference.ml.azure.com/jobs")
    .option(
      "--input <spec>",
      "an input, repeatable: name=uri_folder:<uri> | name=uri_file:<uri> | name=literal:<value>; a bare <uri> means input_data=uri_folder:<uri>",
      collect,
    )
    .option("--input-mode <[name=]mode>", "how the job reads an input, repeatable: ReadOnlyMount | Download | Direct; a bare <mode> is for input_data", collect)
    .option(
      "--output <spec>",
      "where the job writes: a bare <uri> is the one output, azureml://datastores/<datastore>/paths/<file> (must not exist yet), " +
        "or a folder when it ends in '/' (must hold no files); several outputs (pipeline-component deployments), repeatable: " +
        "name=<uri> | name=uri_file:<uri> | name=uri_folder:<uri>",
      collect,
    )
    .option("--output-name <name>", "name of the bare --output (default score)")
    .option("--output-type <type>", "type of the bare --output: uri_file | uri_folder (default: a folder when the URI ends in '/')")
    .option("--deployment <name>", "deployment to use instead of the endpoint's default")
    .option("--api-version <version>", "ARM api-version for job status and cancel (default 2022-10-01)")
    .option("--poll-interval <s>", "seconds between Azure ML job status checks (default 120)")
    .option("--timeout <s>", "overall deadline of the run in seconds (default 7 days)")
    .option("--queue-timeout <s>", "deadline in seconds to leave the queued states")
    .option("--idempotency-key <key>", "Idempotency-Key header: the same key and body again is the same run, never a second job")
    .option("--instance-id <id>", "the run id to use (also makes the start idempotent)")
    .option("--tag <key=value>", "a tag, repeatable", collect)
    .option("--display-name <text>", "the job's display name (sent as its tag displayName)")
    .option("--description <text>", "the job's description")
    .option("--experiment-name <name>", "the job's experiment (pipeline-component deployments only)")
    .option("--instance-count <n>", "job setting: nodes to run on (default: the deployment's)")
    .option("--mini-batch-size <n>", "job setting: files per mini-batch")
    .option("--max-concurrency-per-instance <n>", "job setting: scoring processes per node")
    .option("--output-file-name <name>", "job setting: the predictions file's name in a folder output (default predictions.csv)")
    .option("--error-threshold <n>", "job setting: failed items tolerated before the job fails; -1 ignores failed items")
    .option("--logging-level <level>", "job setting: Info | Warning | Debug")
    .option("--max-retries <n>", "job setting: retries of a failed mini-batch")
    .option("--retry-timeout <seconds>", "job setting: a mini-batch's timeout in seconds")
    .option("--wait", "follow the run until it ends; the exit code tells how it ended")
    .option("--max-wait <s>", "stop waiting after this many seconds, exit 3 (implies --wait)")
    .addHelpText("after", exitCodesHelp)
    .action(run((ctx, cmd) => startCommand(ctx, cmd.opts())));

  program
    .command("batch")
    .description("start a batch of scoring runs (POST /api/scoring-batches); --wait shows one progress bar until the batch ends")
    .option("--file <batch.json>", "the whole batch body (template, items or itemsFrom, limits); the flags below override it")
    .option("--template <file>", "the run template: a camelCase start body of POST /api/scoring-runs (JSON)")
    .option("--endpoint <uri>", "the template's endpointUri (with or instead of --template)")
    .option("--items <file>", "the items: a JSON array of { inputs, output }")
    .option("--items-from <folder>", "instead of --items: one item per sub-folder of this azureml://datastores/<ds>/paths/<folder>/")
    .option("--items-output <folder>", "with --items-from: item <name> writes to <folder><name>/")
    .option("--max-items <n>", "with --items-from: at most this many items (1 to 1000)")
    .option("--max-concurrent-jobs <n>", "jobs live at once, 1 to 50 (default 5)")
    .option("--tolerated-failure-percent <p>", "failed items tolerated, 0 to 100 percent (default 0)")
    .option("--idempotency-key <key>", "Idempotency-Key header: the same key and body again is the same batch")
    .option("--wait", "follow the batch until it ends; the exit code tells how it ended")
    .option("--max-wait <s>", "stop waiting after this many seconds, exit 3 (implies --wait)")
    .addHelpText("after", exitCodesHelp)
    .action(run((ctx, cmd) => batchCommand(ctx, cmd.opts())));

  program
    .command("status")
    .description("show a run (GET /api/scoring-runs/{id}); --wait follows it to the end")
    .argument("<id>", "run id")
    .option("--wait", "follow the run until it ends; the exit code tells how it ended")
    .option("--max-wait <s>", "stop waiting after this many seconds, exit 3 (implies --wait)")
    .addHelpText("after", exitCodesHelp)
    .action(run((ctx, cmd) => statusCommand(ctx, cmd.args[0]!, cmd.opts())));

  program
    .command("cancel")
    .description("cancel a run's Azure ML job (POST /api/scoring-runs/{id}/cancel); exit 1 if the run already ended")
    .argument("<id>", "run id")
    .option("--reason <text>", "why (kept with the run, at most 200 characters)")
    .action(run((ctx, cmd) => cancelCommand(ctx, cmd.args[0]!, cmd.opts())));

  program
    .command("rerun")
    .description("start a new run with an ended run's request and new outputs (POST /api/scoring-runs/{id}/rerun); the two runs name each other")
    .argument("<id>", "the ended run's id")
    .option("--output <uri>", "the rerun's output (default: the original's, renamed: p.csv → p.rerun-<n>.csv)")
    .option("--idempotency-key <key>", "Idempotency-Key header: the same key again is the same rerun")
    .option("--wait", "follow the rerun until it ends; the exit code tells how it ended")
    .option("--max-wait <s>", "stop waiting after this many seconds, exit 3 (implies --wait)")
    .addHelpText("after", exitCodesHelp)
    .action(run((ctx, cmd) => rerunCommand(ctx, cmd.args[0]!, cmd.opts())));

  program
    .command("list")
    .description("list runs, newest first (GET /api/scoring-runs)")
    .option("--status <statuses>", "only runs with these statuses, comma-separated: Pending, Running, Succeeded, Failed, Canceled")
    .option("--top <n>", "runs per page, 1 to 100 (default 50)")
    .option("--continuation-token <token>", "the next page, as the previous page said")
    .action(run((ctx, cmd) => listCommand(ctx, cmd.opts())));

  return program;
}

/** Parses `argv` (without node and script), runs the command, returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram(io, (c) => (code = c));
  // Mask the key before anything can be written, however it was given.
  const keyAt = argv.findIndex((a) => a === "--key" || a.startsWith("--key="));
  if (keyAt >= 0) io.addSecret(argv[keyAt]!.startsWith("--key=") ? argv[keyAt]!.slice("--key=".length) : argv[keyAt + 1]);
  io.addSecret(process.env.SCORING_FUNCTION_KEY);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    return reportError(err, io, false);
  }
  return code;
}

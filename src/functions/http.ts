import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { cancelScoringRun } from "../http/cancelRun";
import { getScoringRun } from "../http/getRun";
import { listScoringRuns } from "../http/listRuns";
import { receiveEvents } from "../http/receiveEvents";
import { startScoringRun } from "../http/startRun";
import { rerunScoringRun } from "../http/rerunRun";
import { applyRunLinksOperation, type RunLinksState } from "../runs/runLinks";
import type { OutputCheck } from "../http/outputAtStart";
import type { DeploymentCheck } from "../http/deploymentAtStart";
import { checkOutput } from "../preflight/checks";
import { judgeDeployment } from "../preflight/checkDeployment";
import { names } from "../runs/names";
import { blobWindowClient } from "../runs/blobWindowClient";
import { durableClientInput, runsHandler } from "./httpAdapter";
import { sharedBatchClient, sharedPreflightDeps } from "./sharedClients";

const common = { authLevel: "function" as const, extraInputs: [durableClientInput] };

const checkOutputNow: OutputCheck = (output, workspace) => checkOutput(output, workspace, sharedPreflightDeps());
const checkDeploymentNow: DeploymentCheck = (request) => judgeDeployment(request, { endpoints: sharedBatchClient(), client: sharedBatchClient() });

app.http(names.http.start, {
  ...common,
  methods: ["POST"],
  route: "scoring-runs",
  handler: runsHandler((req, runs) => startScoringRun(req, runs, getConfig(), checkOutputNow, checkDeploymentNow)),
});
app.http(names.http.events, {
  ...common,
  methods: ["POST", "OPTIONS"],
  route: "scoring-runs/events",
  handler: runsHandler((req, runs, log, client) => receiveEvents(req, runs, getConfig(), log, blobWindowClient(client))),
});
app.http(names.http.list, { ...common, methods: ["GET"], route: "scoring-runs", handler: runsHandler(listScoringRuns) });
app.http(names.http.status, { ...common, methods: ["GET"], route: "scoring-runs/{id}", handler: runsHandler(getScoringRun) });
app.http(names.http.cancel, { ...common, methods: ["POST"], route: "scoring-runs/{id}/cancel", handler: runsHandler(cancelScoringRun) });
app.http(names.http.rerun, {
  ...common,
  methods: ["POST"],
  route: "scoring-runs/{id}/rerun",
  handler: runsHandler((req, runs) => rerunScoringRun(req, runs, getConfig(), checkOutputNow)),
});
// A run's reruns: the one operation is pure (runs/runLinks.ts).
df.app.entity<RunLinksState>(names.runLinks, (context) => {
  context.df.setState(applyRunLinksOperation(context.df.getState(), context.df.operationName, context.df.getInput()));
});

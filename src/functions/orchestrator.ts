import * as df from "durable-functions";
import { names } from "../runs/names";
import { scoringRunOrchestrator } from "../orchestration/scoringRunOrchestrator";

df.app.orchestration(names.orchestrator, scoringRunOrchestrator);

import * as df from "durable-functions";
import { names } from "../runs/names";
import { scoringRun } from "../orchestration/scoringRunWithSlot";

// The run, and the endpoint slot it may hold given back at its end (SCORING_MAX_JOBS_PER_ENDPOINT).
df.app.orchestration(names.orchestrator, scoringRun);

/** The fleet's read budget (docs/operations.md#fleet-read-budget): its entity, and the status activity paced by it. */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { createFleetPacer, type FleetEntityAccess } from "../activities/fleetPacer";
import { onArmThrottled } from "../batch/armThrottleSignal";
import { getConfig } from "../config";
import { admitStart, type AdmitRequest, applyFleetOperation, emptyFleetState, FLEET_KEY, type FleetPace, type FleetState } from "../runs/fleet";
import { names } from "../runs/names";

df.app.entity<FleetState>(names.fleet, (context) => {
  const state = context.df.getState(emptyFleetState) ?? emptyFleetState();
  if (context.df.operationName === "admit") {
    const admitted = admitStart(state, context.df.getInput() as AdmitRequest);
    context.df.setState(admitted.state);
    context.df.return(admitted.answer);
    return;
  }
  context.df.setState(applyFleetOperation(state, context.df.operationName ?? "", context.df.getInput()));
});

const pacer = createFleetPacer();
onArmThrottled((retryAfterSeconds) => pacer.noteThrottled(retryAfterSeconds));

/** An activity's answer with the fleet's pace as this worker sees it. */
export async function withFleetPace<T extends object>(answer: Promise<T>, context: InvocationContext, pacedAt?: string): Promise<T & { pace?: FleetPace }> {
  const result = await answer;
  const pace = await fleetPace(context, pacedAt ? Date.parse(pacedAt) : undefined);
  return pace ? { ...result, pace } : result;
}

function fleetPace(context: InvocationContext, pacedAtMs: number | undefined): Promise<FleetPace | undefined> {
  const client = df.getClient(context);
  const id = new df.EntityId(names.fleet, FLEET_KEY);
  const entity: FleetEntityAccess = {
    read: async () => {
      const read = await client.readEntityState<FleetState>(id);
      return read.entityExists ? read.entityState : undefined;
    },
    reportThrottled: (seen) => client.signalEntity(id, "throttled", seen),
  };
  return pacer.pace(entity, getConfig().armReadsPerSecond, pacedAtMs);
}

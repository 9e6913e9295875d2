/**
 * The day learned polling is measured on: jobs on two deployments of the emulated endpoint, each
 * with its own typical duration (40 and 100 minutes) that varies ±20% from job to job, queued 1–5
 * min, then 1–3 min Finalizing; one in ten fails halfway. Submitted evenly over a day, alternating
 * deployments, so the later runs of each have a history to learn from.
 */
import { lifecycles } from "../dev/batch-emulator";
import { pipelineDeployment } from "../dev/stack";
import type { DayOfJobs } from "./detection";
import { seededRandom } from "./seededRandom";

const minute = 60_000;
const deployments = [
  { name: "blue", typicalMs: 40 * minute },
  { name: pipelineDeployment.name, typicalMs: 100 * minute },
];

export function learnedDay(count: number, seed = 11): DayOfJobs {
  const rnd = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const jobs = Array.from({ length: count }, (_, i) => {
    const deployment = deployments[i % deployments.length]!;
    const runMs = Math.round(deployment.typicalMs * between(0.8, 1.2));
    const queue: ["Queued", number] = ["Queued", Math.round(between(1, 5) * minute)];
    const fails = i % 10 === 7;
    const lifecycle = fails
      ? lifecycles.timed([queue, ["Running", Math.round(runMs / 2)]], "Failed", "scoring script raised an error")
      : lifecycles.timed([queue, ["Running", runMs], ["Finalizing", Math.round(between(1, 3) * minute)]], "Completed");
    return { submitAfterMs: Math.round((i * 24 * 60 * minute) / count), lifecycle, fails, deployment: deployment.name };
  });
  return { jobs };
}

/** The files under adf/, loaded once, and the names the tests refer to. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ActivityDef, LinkedServiceDef, PipelineDef } from "./adfRunner";

export const adfDir = path.resolve(__dirname, "../../adf");
export const armPath = path.join(adfDir, "arm", "RunBatchScoring.template.json");
export const adfReadme = fs.readFileSync(path.join(adfDir, "README.md"), "utf8");

export function jsonFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFilesUnder(path.join(dir, e.name)) : e.name.endsWith(".json") ? [path.join(dir, e.name)] : []);
}
export const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, "utf8"));
const loadDir = <T>(sub: string): T[] => jsonFilesUnder(path.join(adfDir, sub)).map((f) => readJson(f) as T);

export const pipelines = loadDir<PipelineDef>("pipelines");
export const linkedServiceList = loadDir<LinkedServiceDef>("linkedServices");
export const linkedServices = Object.fromEntries(linkedServiceList.map((ls) => [ls.name, ls]));

export const AZURE_FUNCTION = "RunBatchScoring-AzureFunction";
export const WEB_ACTIVITY = "RunBatchScoring-WebActivity";
export const WEB_HOOK = "RunBatchScoring-WebHook";
/** Both pipelines: the activity that POSTs the start request (retried: idempotent) ... */
export const START_ACTIVITY = "Start scoring run";
/** ... and the one that waits and whose outcome is the run's (never retried). */
export const WAIT_ACTIVITY = "Wait for scoring run";
export const KEY_ACTIVITY = "Get function key";
/** The WebHook pipeline: one activity starts the run and waits for its one callback (never retried). */
export const WEB_HOOK_ACTIVITY = "Start scoring run and wait for callback";

/** Whether a pipeline waits for a callback (WebHook) rather than polling the run's status URL. */
export const isWebHookPipeline = (p: PipelineDef): boolean => p.properties.activities.some((a) => a.type === "WebHook");
/** The pipelines that start, then poll the run's status URL with `Wait for scoring run`. */
export const pollingPipelines = pipelines.filter((p) => !isWebHookPipeline(p));
/** The activity that POSTs the start request. */
export const startActivityOf = (p: PipelineDef): string => (isWebHookPipeline(p) ? WEB_HOOK_ACTIVITY : START_ACTIVITY);

export function pipeline(name: string): PipelineDef {
  const p = pipelines.find((x) => x.name === name);
  if (!p) throw new Error(`no pipeline ${name} under adf/pipelines`);
  return p;
}

export function activity(p: PipelineDef, name: string): ActivityDef {
  const a = p.properties.activities.find((x) => x.name === name);
  if (!a) throw new Error(`no activity ${name} in ${p.name}`);
  return a;
}

/** `d.hh:mm:ss` / `hh:mm:ss` → seconds (the policy.timeout pattern in the Data Factory REST spec). */
export function timespanSeconds(s: string): number {
  const m = /^(?:(\d+)\.)?(\d\d):([0-5]\d|60):([0-5]\d|60)$/.exec(s);
  if (!m) throw new Error(`not a timespan: ${s}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** A copy of a pipeline with one activity changed by `edit` (which must change something). */
export function withActivity(p: PipelineDef, activityName: string, edit: (a: ActivityDef) => void): PipelineDef {
  const copy = JSON.parse(JSON.stringify(p)) as PipelineDef;
  const target = activity(copy, activityName);
  const before = JSON.stringify(target);
  edit(target);
  if (JSON.stringify(target) === before) throw new Error(`edit left ${activityName} unchanged`);
  return copy;
}

/** A copy of a pipeline whose activity URL expression is rewritten. */
export const withUrl = (p: PipelineDef, activityName: string, rewrite: (url: string) => string): PipelineDef =>
  withActivity(p, activityName, (a) => {
    const url = a.typeProperties.url as { value: string };
    url.value = rewrite(url.value);
  });

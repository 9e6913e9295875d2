/**
 * The ADF templates under adf/: structure, the rules the design rests on (idempotent start,
 * un-retried wait, key as ?code=, secure input/output), the ARM template and the README agreeing
 * with the JSON. test/adf/pipelineRuns.test.ts runs them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { collectExpressions, evaluateString, evaluateValue, type ExpressionNode, parseExpression } from "./adfExpressions";
import type { ActivityDef, PipelineDef } from "./adfRunner";
import {
  activity, adfDir, adfReadme, armPath, AZURE_FUNCTION, isWebHookPipeline, jsonFilesUnder, KEY_ACTIVITY, linkedServiceList, linkedServices,
  pipelines, readJson, START_ACTIVITY, startActivityOf, timespanSeconds, WAIT_ACTIVITY, WEB_ACTIVITY, WEB_HOOK, WEB_HOOK_ACTIVITY,
} from "./adfFiles";
import { buildArmTemplate, linkedServiceRefs } from "./armTemplate";
import { SEED_FIELDS } from "../../src/runs/request/schemas";

/** The seed (Run-BatchEndpoint) pipeline's parameters: names, types and defaults unchanged. */
const SEED_PARAMETERS = {
  endpoint_uri: { type: "string" },
  api_version: { type: "string", defaultValue: "2022-10-01" },
  poll_interval: { type: "string", defaultValue: "120" },
  endpoint_input_uri: { type: "string" },
  endpoint_input_type: { type: "string", defaultValue: "UriFolder" },
  endpoint_output_uri: { type: "string" },
};
/** Added per factory, all with defaults, so a caller passing only the seed's parameters still works. */
const APP_PARAMETERS = ["function_app_url", "key_vault_url", "function_key_secret_name"];
/** The API's seed-form job settings (snake_case): optional parameters, default "", sent only when set. */
const SETTING_PARAMETERS = Object.entries(SEED_FIELDS)
  .filter(([, camel]) => camel.startsWith("settings."))
  .map(([seed]) => seed);

/** The app's limit on Idempotency-Key (src/api/idempotency.ts). */
const isValidIdempotencyKey = (key: string) => key.length >= 1 && key.length <= 255 && /^[\x20-\x7e]+$/.test(key);

/** The Idempotency-Key the templates send, and the same rule inside a ForEach (adf/README.md). */
const KEY_EXPRESSION = "@concat(pipeline().RunId, ':', uriComponent(pipeline().parameters.endpoint_output_uri))";
const FOREACH_KEY_EXPRESSION = "@concat(pipeline().RunId, ':', uriComponent(item().endpoint_output_uri))";

/** Activity timeouts: Data Factory's documented minimum, and the Web activity's longest async wait. */
const MIN_ACTIVITY_TIMEOUT_SECONDS = 10 * 60;
const MAX_ASYNC_WAIT_SECONDS = 7 * 86400;

/**
 * Property names from the Data Factory REST spec (azure-rest-api-specs, specification/datafactory,
 * stable/2018-06-01/entityTypes/Pipeline.json: ActivityPolicy, WebActivityTypeProperties,
 * AzureFunctionActivityTypeProperties, WebHookActivityTypeProperties), as @azure/arm-datafactory
 * exposes them. A WebHook activity is a control activity: its `policy` is a SecureInputOutputPolicy
 * (secureInput, secureOutput; no retry, no timeout), and its timeout is `typeProperties.timeout`.
 */
const ACTIVITY_POLICY_PROPERTIES = ["timeout", "retry", "retryIntervalInSeconds", "secureInput", "secureOutput"];
const POLICY_PROPERTIES: Record<string, string[]> = { WebHook: ["secureInput", "secureOutput"] };
const TYPE_PROPERTIES: Record<string, string[]> = {
  WebActivity: ["method", "url", "headers", "body", "authentication", "disableCertValidation", "httpRequestTimeout", "turnOffAsync", "datasets", "linkedServices", "connectVia"],
  AzureFunctionActivity: ["method", "functionName", "headers", "body"],
  WebHook: ["method", "url", "headers", "body", "timeout", "authentication", "reportStatusOnCallBack"],
};
/** An activity's timeout: the WebHook's wait for its callback, any other's policy.timeout. */
const timeoutOf = (a: ActivityDef) => (a.type === "WebHook" ? a.typeProperties.timeout : a.policy?.timeout);

const FAKE_KEY = "k3y/with+chars=";
const RUN_ID = "11111111-2222-3333-4444-555555555555";

/** Parameters and activities an expression reads. */
function references(node: ExpressionNode, out = { parameters: new Set<string>(), activities: new Set<string>() }) {
  if (node.kind === "member") {
    const t = node.target;
    if (t.kind === "member" && t.name === "parameters" && t.target.kind === "call" && t.target.name === "pipeline") out.parameters.add(node.name);
    references(node.target, out);
  } else if (node.kind === "index") {
    references(node.target, out);
    references(node.index, out);
  } else if (node.kind === "call") {
    if (node.name === "activity" && node.args[0]?.kind === "literal") out.activities.add(String(node.args[0].value));
    node.args.forEach((a) => references(a, out));
  }
  return out;
}

function upstreamOf(p: PipelineDef, name: string, seen = new Set<string>()): Set<string> {
  for (const d of activity(p, name).dependsOn ?? []) {
    if (!seen.has(d.activity)) {
      seen.add(d.activity);
      upstreamOf(p, d.activity, seen);
    }
  }
  return seen;
}

/** Seed values a caller could pass, plus this factory's settings (job settings left at their default, ""). */
const sampleParameters = (outputUri = "azureml://datastores/workspaceblobstore/paths/out/p.csv", settings: Record<string, string> = {}) => ({
  endpoint_uri: "https://ep.westeurope.inference.ml.azure.com/jobs",
  api_version: "2022-10-01",
  poll_interval: "120",
  endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/in/",
  endpoint_input_type: "UriFile",
  endpoint_output_uri: outputUri,
  ...Object.fromEntries(SETTING_PARAMETERS.map((k) => [k, ""])),
  ...settings,
  function_app_url: "https://app.example.net",
  key_vault_url: "https://kv.example.net",
  function_key_secret_name: "scoring-function-key",
});

/** A value of each job setting, as a caller would type it. */
const SETTING_VALUES: Record<string, string> = {
  instance_count: "2",
  mini_batch_size: "10",
  max_concurrency_per_instance: "4",
  output_file_name: "scores.csv",
  error_threshold: "-1",
  logging_level: "Debug",
  max_retries: "3",
  retry_timeout: "300",
};

/** What an activity sends, with upstream outputs faked. */
function evaluatedRequest(p: PipelineDef, name: string, parameters = sampleParameters()): Record<string, unknown> {
  return evaluateValue(activity(p, name).typeProperties, {
    parameters,
    pipeline: { RunId: RUN_ID },
    activityOutputs: { [KEY_ACTIVITY]: { value: FAKE_KEY }, [startActivityOf(p)]: { id: "key-0123" } },
  }) as Record<string, unknown>;
}

describe("ADF templates: structure", () => {
  it("every JSON file under adf/ parses and is a named ADF resource (or the ARM template)", () => {
    const files = jsonFilesUnder(adfDir);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const doc = readJson(f) as Record<string, unknown>;
      if (f === armPath) expect(doc.$schema).toMatch(/deploymentTemplate\.json#$/);
      else {
        expect(typeof doc.name, f).toBe("string");
        expect(path.basename(f, ".json"), f).toBe(doc.name);
        expect(typeof doc.properties, f).toBe("object");
      }
    }
    expect(pipelines.map((p) => p.name).sort()).toEqual([AZURE_FUNCTION, WEB_ACTIVITY, WEB_HOOK]);
    expect(pipelines.filter(isWebHookPipeline).map((p) => p.name)).toEqual([WEB_HOOK]);
    expect(linkedServiceList.map((l) => l.name).sort()).toEqual(["ScoringFunctionApp", "ScoringKeyVault"]);
  });

  for (const p of pipelines) {
    const START = startActivityOf(p);
    describe(p.name, () => {
      it("keeps the seed's six parameters (names, string type, defaults) and adds only defaulted app settings and job settings", () => {
        const params = p.properties.parameters ?? {};
        const seedPart = Object.fromEntries(Object.keys(SEED_PARAMETERS).map((k) => [k, params[k]]));
        expect(seedPart).toEqual(SEED_PARAMETERS);
        const extra = Object.keys(params).filter((k) => !Object.hasOwn(SEED_PARAMETERS, k));
        expect(extra.sort()).toEqual([...APP_PARAMETERS, ...SETTING_PARAMETERS].sort());
        for (const k of extra) {
          expect(params[k]!.type).toBe("string");
          expect(typeof params[k]!.defaultValue, k).toBe("string");
        }
        // Every job setting the API takes in the seed form, each unset by default.
        expect(SETTING_PARAMETERS).toHaveLength(8);
        for (const k of SETTING_PARAMETERS) expect(params[k], k).toEqual({ type: "string", defaultValue: "" });
      });

      it("activities: valid names and properties, known dependencies, no cycles, documented timeouts", () => {
        const names = p.properties.activities.map((a) => a.name);
        expect(names.sort()).toEqual((isWebHookPipeline(p) ? [KEY_ACTIVITY, WEB_HOOK_ACTIVITY] : [KEY_ACTIVITY, START_ACTIVITY, WAIT_ACTIVITY]).sort());
        for (const a of p.properties.activities) {
          expect(a.name.length).toBeLessThanOrEqual(55);
          expect(a.name).not.toMatch(/[.+?/<>*%&:\\]/);
          for (const d of a.dependsOn ?? []) {
            expect(names).toContain(d.activity);
            expect(d.dependencyConditions).toEqual(["Succeeded"]);
          }
          expect(upstreamOf(p, a.name).has(a.name), `${a.name} depends on itself`).toBe(false);
          // Explicit, because the defaults (12 hours; a WebHook's 10 minutes) are not what the start or the wait needs.
          const timeout = timespanSeconds(String(timeoutOf(a) ?? ""));
          expect(timeout, a.name).toBeGreaterThanOrEqual(MIN_ACTIVITY_TIMEOUT_SECONDS);
          expect(timeout, a.name).toBeLessThanOrEqual(MAX_ASYNC_WAIT_SECONDS);
          for (const key of Object.keys(a.policy ?? {})) expect(POLICY_PROPERTIES[a.type] ?? ACTIVITY_POLICY_PROPERTIES, `${a.name}: policy.${key}`).toContain(key);
          for (const key of Object.keys(a.typeProperties)) expect(TYPE_PROPERTIES[a.type] ?? [], `${a.name}: ${a.type}.${key}`).toContain(key);
          // The spec's bounds for retryIntervalInSeconds.
          expect(a.policy?.retryIntervalInSeconds ?? 30).toBeGreaterThanOrEqual(30);
          expect(a.policy?.retryIntervalInSeconds ?? 30).toBeLessThanOrEqual(86400);
          if (a.type === "WebActivity" && a.typeProperties.httpRequestTimeout !== undefined) {
            expect(timespanSeconds(String(a.typeProperties.httpRequestTimeout))).toBeLessThanOrEqual(600);
          }
        }
      });

      it("every expression parses and reads only declared parameters and upstream activities", () => {
        const declared = Object.keys(p.properties.parameters ?? {});
        for (const a of p.properties.activities) {
          const exprs = collectExpressions([a.typeProperties, a.linkedServiceName ?? null]);
          expect(exprs.length, a.name).toBeGreaterThan(0);
          const upstream = upstreamOf(p, a.name);
          for (const e of exprs) {
            const refs = references(parseExpression(e));
            for (const param of refs.parameters) expect(declared, `${a.name}: ${e}`).toContain(param);
            for (const act of refs.activities) expect(upstream.has(act), `${a.name} reads '${act}' which is not upstream`).toBe(true);
          }
        }
      });

      it("starts with the seed parameters as the JSON body and Idempotency-Key = RunId + output path", () => {
        const start = activity(p, START);
        expect(String(start.typeProperties.method).toUpperCase()).toBe("POST");
        expect((start.typeProperties.headers as Record<string, unknown>)["Idempotency-Key"]).toEqual({ value: KEY_EXPRESSION, type: "Expression" });
        const parameters = sampleParameters();
        const request = evaluatedRequest(p, START, parameters);
        const { function_app_url: _a, key_vault_url: _k, function_key_secret_name: _s, ...given } = parameters;
        const seed = Object.fromEntries(Object.entries(given).filter(([k]) => !SETTING_PARAMETERS.includes(k)));
        // Unset job settings are not in the body at all (not even as "").
        expect(JSON.parse(request.body as string)).toEqual(seed);

        // Every ForEach iteration shares the RunId: the output path tells them apart.
        const keyFor = (output: string) => (evaluatedRequest(p, START, sampleParameters(output)).headers as Record<string, string>)["Idempotency-Key"]!;
        const a = keyFor("azureml://datastores/workspaceblobstore/paths/out/a.csv");
        const b = keyFor("azureml://datastores/workspaceblobstore/paths/out/b.csv");
        expect(a).toMatch(new RegExp(`^${RUN_ID}:`));
        expect(a).not.toBe(b);
        expect(keyFor("azureml://datastores/workspaceblobstore/paths/out/a.csv")).toBe(a);
        for (const key of [a, keyFor("azureml://datastores/ws/paths/prédictions été/p.csv")]) expect(isValidIdempotencyKey(key), key).toBe(true);
      });

      it("sends each job setting only when its parameter is set, as a string; the body is JSON whatever is set", () => {
        const seedBody = JSON.parse(evaluatedRequest(p, START).body as string) as Record<string, string>;
        const all = JSON.parse(evaluatedRequest(p, START, sampleParameters(undefined, SETTING_VALUES)).body as string);
        expect(all).toEqual({ ...seedBody, ...SETTING_VALUES });
        // Every subset of the eight: 256 bodies, each valid JSON with exactly the settings given.
        for (let mask = 0; mask < 1 << SETTING_PARAMETERS.length; mask++) {
          const given = Object.fromEntries(SETTING_PARAMETERS.filter((_, i) => mask & (1 << i)).map((k) => [k, SETTING_VALUES[k]!]));
          const body = JSON.parse(evaluatedRequest(p, START, sampleParameters(undefined, given)).body as string);
          expect(body).toEqual({ ...seedBody, ...given });
        }
      });

      if (isWebHookPipeline(p)) {
        it("one WebHook activity starts the run and waits for its one callback: reportStatusOnCallBack, no retry, 7 days, no polling", () => {
          const hook = activity(p, WEB_HOOK_ACTIVITY);
          expect(hook.type).toBe("WebHook");
          expect(hook.typeProperties.reportStatusOnCallBack).toBe(true);
          // No retry: a retried WebHook call carries another callBackUri, which the same Idempotency-Key refuses (409).
          expect(hook.policy).toEqual({ secureInput: true, secureOutput: true });
          expect(hook.policy).not.toHaveProperty("retry");
          // Its own timeout (default 10 minutes), not policy.timeout: as long as the app's default run deadline.
          expect(timespanSeconds(String(hook.typeProperties.timeout))).toBe(MAX_ASYNC_WAIT_SECONDS);
          expect(hook.dependsOn).toEqual([{ activity: KEY_ACTIVITY, dependencyConditions: ["Succeeded"] }]);
          // The Learn page requires the Content-Type header; the POST is answered at once (no ?wait=: a WebHook request times out after a minute).
          expect((hook.typeProperties.headers as Record<string, unknown>)["Content-Type"]).toBe("application/json");
          const request = evaluatedRequest(p, WEB_HOOK_ACTIVITY);
          expect(request.url).toBe(`https://app.example.net/api/scoring-runs?code=${encodeURIComponent(FAKE_KEY)}`);
          expect(JSON.stringify(hook.typeProperties)).not.toMatch(/failOnError|wait=/);
          // Data Factory adds callBackUri; the template does not send one of its own.
          expect(JSON.parse(request.body as string)).not.toHaveProperty("callBackUri");
        });
      }

      if (!isWebHookPipeline(p)) it("the start only starts: retried on transient failures, never waits on the run's outcome", () => {
        const start = activity(p, START_ACTIVITY);
        expect(start.policy?.retry).toBeGreaterThanOrEqual(1);
        if (start.type === "WebActivity") expect(start.typeProperties.turnOffAsync).toBe(true);
        else expect(start.type).toBe("AzureFunctionActivity");
        expect(JSON.stringify(start.typeProperties)).not.toContain("failOnError");
        const waitParam = /[?&]wait=(\d+)/.exec(JSON.stringify(start.typeProperties.url ?? start.typeProperties.functionName));
        if (waitParam) {
          // The held POST must be answered before the Web activity gives up on the response.
          expect(Number(waitParam[1])).toBeLessThanOrEqual(220);
          expect(timespanSeconds(String(start.typeProperties.httpRequestTimeout))).toBeGreaterThan(Number(waitParam[1]) + 10);
        }
      });

      if (!isWebHookPipeline(p)) it("the wait follows the run with failOnError=true, up to 7 days, with no retries", () => {
        const wait = activity(p, WAIT_ACTIVITY);
        expect(wait.type).toBe("WebActivity");
        expect(wait.typeProperties.turnOffAsync ?? false).toBe(false);
        expect(wait.policy?.retry).toBe(0);
        expect(timespanSeconds(wait.policy!.timeout!)).toBe(MAX_ASYNC_WAIT_SECONDS);
        expect(evaluatedRequest(p, WAIT_ACTIVITY).url).toBe(`https://app.example.net/api/scoring-runs/key-0123?failOnError=true&code=${encodeURIComponent(FAKE_KEY)}`);
      });

      it("Web and WebHook activities send the function key as ?code= only, with secure input; key-carrying outputs are secure", () => {
        for (const a of p.properties.activities.filter((x) => ["WebActivity", "WebHook"].includes(x.type) && x.name !== KEY_ACTIVITY)) {
          const request = evaluatedRequest(p, a.name);
          expect(new URL(String(request.url)).searchParams.get("code"), a.name).toBe(FAKE_KEY);
          expect(Object.keys((request.headers ?? {}) as object).map((h) => h.toLowerCase()), a.name).not.toContain("x-functions-key");
          expect(a.policy?.secureInput, a.name).toBe(true);
        }
        // The key itself; the start's answer (management URLs, and Location with ?code= for a Web activity).
        expect(activity(p, KEY_ACTIVITY).policy?.secureOutput).toBe(true);
        expect(activity(p, START).policy?.secureOutput).toBe(true);
      });

      it("references only linked services that exist under adf/linkedServices", () => {
        for (const ref of linkedServiceRefs(p.properties)) expect(Object.keys(linkedServices)).toContain(ref);
      });
    });
  }

  it("linked services: Azure Function key comes from Key Vault; no secret is written anywhere under adf/", () => {
    const fn = linkedServices.ScoringFunctionApp!;
    expect(fn.properties.type).toBe("AzureFunction");
    expect(fn.properties.typeProperties.functionKey).toMatchObject({ type: "AzureKeyVaultSecret", store: { referenceName: "ScoringKeyVault", type: "LinkedServiceReference" } });
    expect(linkedServices.ScoringKeyVault!.properties.type).toBe("AzureKeyVault");
    for (const ref of linkedServiceRefs(fn.properties)) expect(Object.keys(linkedServices)).toContain(ref);
    for (const f of jsonFilesUnder(adfDir)) {
      const text = fs.readFileSync(f, "utf8");
      // A key value after `code=` (the templates put an expression there, the descriptions `<key>`).
      expect(text, f).not.toMatch(/SecureString|[?&]code=[A-Za-z0-9%_-]|"password"|"functionKey":\s*"/);
    }
  });

  it("the ARM template is the linked services and pipelines as they are (ADF_WRITE_ARM=1 rewrites it)", () => {
    const expected = buildArmTemplate(linkedServiceList, pipelines);
    if (process.env.ADF_WRITE_ARM === "1") {
      fs.mkdirSync(path.dirname(armPath), { recursive: true });
      fs.writeFileSync(armPath, `${JSON.stringify(expected, null, 2)}\n`);
    }
    expect(readJson(armPath)).toEqual(expected);
    const text = JSON.stringify(expected);
    expect(text).not.toContain("YOUR-");
  });
});

describe("adf/README.md agrees with the JSON", () => {
  /** `| \`name\` | type | default | ... |` rows of the Parameters table. */
  const readmeParameters = new Map(
    [...adfReadme.matchAll(/^\|\s*`(\w+)`\s*\|\s*(\w+)\s*\|\s*([^|]*?)\s*\|/gm)].map((m) => [m[1]!, { type: m[2]!, default: m[3]! }]),
  );

  it("lists every declared parameter with its type and default", () => {
    for (const p of pipelines) {
      for (const [name, spec] of Object.entries(p.properties.parameters ?? {})) {
        const row = readmeParameters.get(name);
        expect(row, name).toBeDefined();
        expect(row!.type, name).toBe(spec.type);
        if (spec.defaultValue === undefined) expect(row!.default, name).toBe("(none)");
        else if (spec.defaultValue === "") expect(row!.default, name).toBe("(not set)");
        else if (!String(spec.defaultValue).includes("YOUR-")) expect(row!.default, name).toBe(`\`${String(spec.defaultValue)}\``);
      }
    }
    expect(adfReadme).not.toMatch(/do not\s+declare\s+it/);
  });

  it("gives the documented activity timeouts and cites the page", () => {
    expect(adfReadme).toMatch(/12 hours/);
    expect(adfReadme).toMatch(/10 minutes/);
    expect(adfReadme).toContain("learn.microsoft.com/azure/data-factory/concepts-pipelines-activities");
  });

  it("states the Idempotency-Key rule with the templates' expression and the ForEach one", () => {
    expect(adfReadme).toContain(KEY_EXPRESSION);
    expect(adfReadme).toContain(FOREACH_KEY_EXPRESSION);
    const keyOf = (item: unknown) => evaluateString(FOREACH_KEY_EXPRESSION, { pipeline: { RunId: RUN_ID }, item }) as string;
    const items = ["a.csv", "b.csv"].map((f) => ({ endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/out/${f}` }));
    const keys = items.map(keyOf);
    expect(new Set(keys).size).toBe(2);
    for (const key of keys) expect(isValidIdempotencyKey(key)).toBe(true);
  });
});

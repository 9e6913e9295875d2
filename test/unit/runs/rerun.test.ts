import { describe, expect, it } from "vitest";
import { parseRerunBody, rerunPath, rerunRequest } from "../../../src/runs/rerun";
import { startBodyOf } from "../../../src/runs/request/startBodyOf";
import { type StartConfig, validateStartRequest } from "../../../src/runs/request/validateStartRequest";
import { scoringRequest } from "../../fixtures/scoringRequest";

const config = { allowedHosts: ["*.inference.ml.azure.com"], allowLoopback: false, defaultPollSeconds: 120 } as StartConfig;
const ds = (path: string) => `azureml://datastores/ds/paths/${path}`;

describe("startBodyOf", () => {
  it.each([
    ["the minimum", scoringRequest()],
    [
      "every field",
      scoringRequest({
        deployment: "blue",
        pollIntervalSeconds: 30,
        inputs: { a: { type: "uri_file", uri: ds("in/a.csv"), mode: "Download" }, t: { type: "literal", value: "0.5" } },
        outputs: { scores: { type: "uri_folder", uri: ds("out/s/") }, summary: { type: "uri_file", uri: ds("out/m.json") } },
        settings: { instanceCount: 2, miniBatchSize: 10, errorThreshold: -1, loggingLevel: "Debug", retryTimeoutSeconds: 60 },
        displayName: "Nightly",
        description: "All customers",
        experimentName: "nightly",
        queueTimeoutSeconds: 600,
        tags: { team: "scoring" },
        workspace: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws",
        preflight: "warn",
      }),
    ],
    ["no outputs (the deployment's default location)", scoringRequest({ outputs: {} })],
  ])("validating it gives the same request again: %s", (_, request) => {
    const again = validateStartRequest(startBodyOf(request), config);
    expect(again.ok && again.request).toEqual(request);
  });
});

describe("rerunPath", () => {
  it("a file gets the suffix before its extension, a folder after its name", () => {
    expect(rerunPath(ds("out/p.csv"), 1)).toBe(ds("out/p.rerun-1.csv"));
    expect(rerunPath(ds("out/p.tar.gz"), 2)).toBe(ds("out/p.tar.rerun-2.gz"));
    expect(rerunPath(ds("out/scores"), 3)).toBe(ds("out/scores.rerun-3"));
    expect(rerunPath(ds("out/.hidden"), 1)).toBe(ds("out/.hidden.rerun-1"));
    expect(rerunPath(ds("out/run/"), 2)).toBe(ds("out/run-rerun-2/"));
  });
});

describe("rerunRequest", () => {
  const original = scoringRequest({ outputs: { score: { type: "uri_file", uri: ds("out/p.csv") } } });

  it("by default, each output renamed for the rerun; everything else the same", () => {
    expect(rerunRequest(original, { outputs: null }, 2)).toEqual({ ...original, outputs: { score: { type: "uri_file", uri: ds("out/p.rerun-2.csv") } } });
  });

  it("a new output replaces the original's", () => {
    const body = parseRerunBody(JSON.stringify({ output: { uri: ds("fixed/") } }), original);
    expect(body.ok && rerunRequest(original, body.body, 1).outputs).toEqual({ score: { type: "uri_folder", uri: ds("fixed/") } });
  });
});

describe("parseRerunBody", () => {
  const original = scoringRequest();
  const several = scoringRequest({ outputs: { a: { type: "uri_file", uri: ds("a.csv") }, b: { type: "uri_file", uri: ds("b.csv") } } });
  const fields = (text: string, run = original) => {
    const parsed = parseRerunBody(text, run);
    return parsed.ok ? [] : parsed.details.map((d) => d.field);
  };

  it("no body, or an empty object: the default outputs", () => {
    expect(parseRerunBody("", original)).toEqual({ ok: true, body: { outputs: null } });
    expect(parseRerunBody("{}", original)).toEqual({ ok: true, body: { outputs: null } });
  });

  it("named outputs", () => {
    const parsed = parseRerunBody(JSON.stringify({ outputs: { a: { uri: ds("a2.csv") } } }), several);
    expect(parsed).toEqual({ ok: true, body: { outputs: { a: { type: "uri_file", uri: ds("a2.csv") } } } });
  });

  it("each problem names its field", () => {
    expect(fields("[1]")).toEqual(["body"]);
    expect(fields("{not json")).toEqual(["body"]);
    expect(fields(JSON.stringify({ inputs: {} }))).toEqual(["inputs"]);
    expect(fields(JSON.stringify({ output: { uri: "" } }))).toEqual(["output.uri"]);
    expect(fields(JSON.stringify({ output: { uri: ds("x"), type: "folder" } }))).toEqual(["output.type"]);
    expect(fields(JSON.stringify({ output: { uri: ds("x"), sas: "?sig=1" } }))).toEqual(["output.sas"]);
    expect(fields(JSON.stringify({ output: { uri: ds("x") }, outputs: { a: { uri: ds("y") } } }))).toContain("outputs");
    expect(fields(JSON.stringify({ output: { uri: ds("x") } }), several)).toEqual(["output"]);
    expect(fields(JSON.stringify({ outputs: {} }))).toEqual(["outputs"]);
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  blobRunId,
  canonicalJson,
  instanceIdForKey,
  instanceIdForRequest,
  isRunId,
  requestFingerprint,
  validateIdempotencyKey,
} from "../../../src/runs/runIds";
import { validateStartRequest, type StartConfig } from "../../../src/runs/request/validateStartRequest";
import type { ScoringRunRequest } from "../../../src/runs/types";

const config: StartConfig = { allowedHosts: ["*.inference.ml.azure.com"], allowLoopback: false, defaultPollSeconds: 120 };
const ENDPOINT = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
const INPUT = "azureml://datastores/workspaceblobstore/paths/heart/input/";
const OUTPUT = "azureml://datastores/workspaceblobstore/paths/heart/out/predictions.csv";

function normalise(body: unknown): ScoringRunRequest {
  const result = validateStartRequest(body, config);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.request;
}

const seed = { endpoint_uri: ENDPOINT, api_version: "2022-10-01", poll_interval: "120", endpoint_input_uri: INPUT, endpoint_output_uri: OUTPUT };
const camel = {
  output: { uri: OUTPUT, name: "score" },
  inputs: { input_data: { uri: INPUT, type: "uri_folder" } },
  pollIntervalSeconds: 120,
  endpointUri: ENDPOINT,
};

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined members like JSON.stringify", () => {
    expect(canonicalJson({ a: undefined, b: "x" })).toBe('{"b":"x"}');
    expect(canonicalJson([undefined])).toBe("[null]");
  });
});

describe("requestFingerprint", () => {
  it("is the sha256 hex of the canonical JSON", () => {
    const request = normalise(seed);
    const expected = createHash("sha256").update(canonicalJson(request)).digest("hex");
    expect(requestFingerprint(request)).toBe(expected);
    expect(requestFingerprint(request)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is the same for the seed and camelCase forms of one request, whatever the key order", () => {
    expect(requestFingerprint(normalise(seed))).toBe(requestFingerprint(normalise(camel)));
    expect(requestFingerprint(normalise({ ...camel, pollIntervalSeconds: "120" }))).toBe(requestFingerprint(normalise(seed)));
  });

  it("differs when any value differs", () => {
    const base = requestFingerprint(normalise(camel));
    expect(requestFingerprint(normalise({ ...camel, pollIntervalSeconds: 121 }))).not.toBe(base);
    expect(requestFingerprint(normalise({ ...camel, deployment: "blue" }))).not.toBe(base);
    expect(requestFingerprint(normalise({ ...camel, tags: { a: "b" } }))).not.toBe(base);
    expect(requestFingerprint(normalise({ ...camel, output: { uri: OUTPUT, name: "other" } }))).not.toBe(base);
  });

  it("does not depend on the key order of the request object", () => {
    const request = normalise(camel);
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as unknown as ScoringRunRequest;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(request));
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(request));
  });

  it("ignores the instanceId (not part of the request)", () => {
    expect(requestFingerprint(normalise({ ...camel, instanceId: "run-1" }))).toBe(requestFingerprint(normalise(camel)));
  });
});

describe("instanceIdForKey", () => {
  it("is key- plus 32 hex chars of sha256(key), stable and a valid instance id", () => {
    const id = instanceIdForKey("adf-run-7d1c3f");
    expect(id).toBe(`key-${createHash("sha256").update("adf-run-7d1c3f").digest("hex").slice(0, 32)}`);
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/);
    expect(instanceIdForKey("adf-run-7d1c3f")).toBe(id);
    expect(instanceIdForKey("adf-run-7d1c3g")).not.toBe(id);
  });

  it("is valid even for keys with characters an instance id cannot carry", () => {
    const id = instanceIdForKey("a/b\\c#d?e f");
    expect(validateStartRequest({ ...camel, instanceId: id }, config).ok).toBe(true);
  });
});

describe("validateIdempotencyKey", () => {
  it("accepts 1..255 printable ASCII characters", () => {
    expect(validateIdempotencyKey("k")).toEqual({ ok: true, key: "k" });
    expect(validateIdempotencyKey("x".repeat(255))).toMatchObject({ ok: true });
    expect(validateIdempotencyKey("a b~!{}")).toMatchObject({ ok: true });
  });

  it.each([
    ["", /must not be empty/],
    [null, /must not be empty/],
    [undefined, /must not be empty/],
    ["x".repeat(256), /at most 255 characters/],
    ["caf\u00e9", /printable ASCII/],
    ["a\tb", /printable ASCII/],
    ["a\nb", /printable ASCII/],
  ] as const)("rejects %j", (key, message) => {
    const result = validateIdempotencyKey(key);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe("blobRunId", () => {
  it("is the same for the same blob version however the URL and eTag are spelled, and differs per version", () => {
    const a = blobRunId("https://acct.blob.core.windows.net/landing/a.csv", "0x1");
    expect(a).toMatch(/^blob-[0-9a-f]{32}$/);
    expect(blobRunId("https://ACCT.blob.core.windows.net/landing/a.csv", '"0x1"')).toBe(a);
    expect(blobRunId("https://acct.blob.core.windows.net/landing/a.csv", "0x2")).not.toBe(a);
    expect(blobRunId("https://acct.blob.core.windows.net/landing/b.csv", "0x1")).not.toBe(a);
  });
});

describe("instanceIdForRequest", () => {
  it("is req- plus 32 hex chars of the request's fingerprint: one id for one request, whatever its body form", () => {
    const id = instanceIdForRequest(normalise(camel));
    expect(id).toBe(`req-${requestFingerprint(normalise(camel)).slice(0, 32)}`);
    expect(instanceIdForRequest(normalise(seed))).toBe(id);
    expect(instanceIdForRequest(normalise({ ...camel, deployment: "blue" }))).not.toBe(id);
  });
});

describe("isRunId", () => {
  it("accepts the ids the app issues and plain caller ids", () => {
    for (const id of [
      instanceIdForKey("k"),
      instanceIdForRequest(normalise(camel)),
      blobRunId("https://a.blob.core.windows.net/c/b", "1"),
      "run-1",
      "R_2",
      "a".repeat(100),
    ]) {
      expect(isRunId(id), id).toBe(true);
    }
  });

  it("refuses anything that could address another instance in a URL, or is too long", () => {
    for (const id of ["", "run/1", "../run", "run?x", "run#1", "run 1", "-run", "_run", "run\u0000", "a".repeat(101)]) expect(isRunId(id), id).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { checkArmEndpoint, checkEndpointUri, hostMatchesPattern, isLoopbackUrl } from "../../../src/batch";

const cloud = { allowedHosts: ["*.inference.ml.azure.com", "scoring.contoso.com"], allowLoopback: false };
const dev = { ...cloud, allowLoopback: true };

describe("hostMatchesPattern", () => {
  it.each([
    ["ep.westeurope.inference.ml.azure.com", "*.inference.ml.azure.com", true],
    ["a.b.inference.ml.azure.com", "*.inference.ml.azure.com", true],
    ["EP.WestEurope.Inference.ML.Azure.com", "*.inference.ml.azure.com", true],
    ["ep.westeurope.inference.ml.azure.com.", "*.inference.ml.azure.com", true],
    ["inference.ml.azure.com", "*.inference.ml.azure.com", false],
    ["evilinference.ml.azure.com", "*.inference.ml.azure.com", false],
    ["inference.ml.azure.com.evil.com", "*.inference.ml.azure.com", false],
    ["scoring.contoso.com", "scoring.contoso.com", true],
    ["x.scoring.contoso.com", "scoring.contoso.com", false],
    ["anything.com", "*", false],
  ])("%s vs %s → %s", (host, pattern, expected) => {
    expect(hostMatchesPattern(host, pattern)).toBe(expected);
  });
});

describe("checkEndpointUri", () => {
  it("accepts an allowlisted https endpoint", () => {
    const result = checkEndpointUri("https://ep.westeurope.inference.ml.azure.com/jobs", cloud);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.loopback).toBe(false);
      expect(result.url.pathname).toBe("/jobs");
    }
  });

  it.each([
    ["http://ep.westeurope.inference.ml.azure.com/jobs", /https/],
    ["https://evil.example.com/jobs", /not allowed/],
    ["https://user:pw@ep.westeurope.inference.ml.azure.com/jobs", /user information/],
    ["ftp://ep.westeurope.inference.ml.azure.com/jobs", /https/],
    ["not a url", /valid absolute URL/],
    ["http://127.0.0.1:8080/jobs", /loopback/],
    ["http://localhost/jobs", /loopback/],
    ["http://[::1]:9/jobs", /loopback/],
  ])("refuses %s", (uri, reason) => {
    const result = checkEndpointUri(uri, cloud);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("never echoes the query of a refused URI", () => {
    const result = checkEndpointUri("https://evil.example.com/jobs?sig=SECRET", cloud);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain("SECRET");
  });

  it.each(["http://127.0.0.1:8080/jobs", "http://localhost:7071/x", "http://[::1]:9/jobs", "https://127.0.0.1/jobs", "http://127.1.2.3/jobs"])(
    "allows loopback %s only with allowLoopback",
    (uri) => {
      const result = checkEndpointUri(uri, dev);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.loopback).toBe(true);
    },
  );

  it("allowLoopback does not open http to other hosts", () => {
    expect(checkEndpointUri("http://10.0.0.5/jobs", dev).ok).toBe(false);
    expect(checkEndpointUri("http://ep.westeurope.inference.ml.azure.com/jobs", dev).ok).toBe(false);
  });
});

describe("isLoopbackUrl", () => {
  it("recognises loopback hosts only", () => {
    expect(isLoopbackUrl("http://127.0.0.1:1/x")).toBe(true);
    expect(isLoopbackUrl(new URL("http://localhost/x"))).toBe(true);
    expect(isLoopbackUrl("http://[::1]/x")).toBe(true);
    expect(isLoopbackUrl("http://128.0.0.1/x")).toBe(false);
    expect(isLoopbackUrl("http://localhost.evil.com/x")).toBe(false);
    expect(isLoopbackUrl("garbage")).toBe(false);
  });
});

describe("checkArmEndpoint", () => {
  it("accepts https anywhere, loopback only with allowLoopback", () => {
    expect(checkArmEndpoint("https://management.usgovcloudapi.net", cloud)).toMatchObject({ ok: true, loopback: false });
    expect(checkArmEndpoint("http://127.0.0.1:7072", dev)).toMatchObject({ ok: true, loopback: true });
    expect(checkArmEndpoint("http://127.0.0.1:7072", cloud).ok).toBe(false);
    expect(checkArmEndpoint("http://management.azure.com", dev).ok).toBe(false);
    expect(checkArmEndpoint("https://management.azure.com?x=1", dev).ok).toBe(false);
  });
});

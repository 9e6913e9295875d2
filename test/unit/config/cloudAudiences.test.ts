import { describe, expect, it } from "vitest";
import { cloudOf } from "../../../src/batch/cloud";
import { parseConfig } from "../../../src/config";

describe("token audiences follow the cloud of AML_ARM_ENDPOINT", () => {
  it("public, US Government and China clouds, as azure-ai-ml's cloud table has them", () => {
    expect(cloudOf("https://management.azure.com")).toEqual({ armAudience: "https://management.azure.com", mlAudience: "https://ml.azure.com", inferenceHosts: "*.inference.ml.azure.com" });
    expect(cloudOf("https://management.usgovcloudapi.net/")).toEqual({ armAudience: "https://management.usgovcloudapi.net", mlAudience: "https://ml.azure.us", inferenceHosts: "*.inference.ml.azure.us" });
    expect(cloudOf("https://management.chinacloudapi.cn")).toEqual({ armAudience: "https://management.chinacloudapi.cn", mlAudience: "https://ml.azure.cn", inferenceHosts: "*.inference.ml.azure.cn" });
  });

  it("another cloud: ARM's own origin, and no Azure ML audience guessed", () => {
    expect(cloudOf("https://management.local.azurestack.external:443/")).toEqual({ armAudience: "https://management.local.azurestack.external", mlAudience: null, inferenceHosts: null });
  });

  it("settings name both audiences and win over the derived ones; allowed hosts default per cloud", () => {
    const gov = parseConfig({ AML_ARM_ENDPOINT: "https://management.usgovcloudapi.net" });
    expect(gov).toMatchObject({ armAudience: "https://management.usgovcloudapi.net", mlAudience: "https://ml.azure.us", allowedHosts: ["*.inference.ml.azure.us"] });
    const custom = parseConfig({ AML_ARM_ENDPOINT: "https://arm.example.test", AML_ARM_AUDIENCE: "https://management.example.test/", AML_DATA_PLANE_AUDIENCE: "https://ml.example.test" });
    expect(custom).toMatchObject({ armAudience: "https://management.example.test", mlAudience: "https://ml.example.test", allowedHosts: [] });
    expect(parseConfig({}).allowedHosts).toEqual(["*.inference.ml.azure.com"]);
  });

  it("an audience that is not an https origin is refused, naming the setting", () => {
    expect(() => parseConfig({ AML_DATA_PLANE_AUDIENCE: "ml.azure.com" })).toThrow(/AML_DATA_PLANE_AUDIENCE/);
    expect(() => parseConfig({ AML_ARM_AUDIENCE: "https://management.azure.com/x?y" })).toThrow(/AML_ARM_AUDIENCE/);
  });
});

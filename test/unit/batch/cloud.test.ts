import { describe, expect, it } from "vitest";
import { cloudOf } from "../../../src/batch/cloud";

describe("cloudOf: token audiences and inference hosts follow the cloud of the ARM endpoint", () => {
  it("public, US Government and China clouds, as azure-ai-ml's cloud table has them", () => {
    expect(cloudOf("https://management.azure.com")).toEqual({
      armAudience: "https://management.azure.com",
      mlAudience: "https://ml.azure.com",
      inferenceHosts: "*.inference.ml.azure.com",
    });
    expect(cloudOf("https://management.usgovcloudapi.net/")).toEqual({
      armAudience: "https://management.usgovcloudapi.net",
      mlAudience: "https://ml.azure.us",
      inferenceHosts: "*.inference.ml.azure.us",
    });
    expect(cloudOf("https://management.chinacloudapi.cn")).toEqual({
      armAudience: "https://management.chinacloudapi.cn",
      mlAudience: "https://ml.azure.cn",
      inferenceHosts: "*.inference.ml.azure.cn",
    });
  });

  it("another cloud: ARM's own origin, and no Azure ML audience guessed", () => {
    expect(cloudOf("https://management.local.azurestack.external:443/")).toEqual({
      armAudience: "https://management.local.azurestack.external",
      mlAudience: null,
      inferenceHosts: null,
    });
  });
});

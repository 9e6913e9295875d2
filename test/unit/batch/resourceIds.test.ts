import { describe, expect, it } from "vitest";
import { BatchEndpointError, parseJobPath, parseWorkspaceId, workspaceJobPath } from "../../../src/batch";

const WS = "/subscriptions/sub-1/resourceGroups/My-RG/providers/Microsoft.MachineLearningServices/workspaces/WS_1";

describe("workspaceJobPath", () => {
  it("derives the workspace-level path from a nested deployment job id", () => {
    expect(workspaceJobPath(`${WS}/batchEndpoints/ep/deployments/dep/jobs/batchjob-1`, "batchjob-1")).toBe(`${WS}/jobs/batchjob-1`);
  });

  it("keeps a workspace-level id as is and works without a name", () => {
    expect(workspaceJobPath(`${WS}/jobs/batchjob-2`)).toBe(`${WS}/jobs/batchjob-2`);
    expect(workspaceJobPath(`${WS}/batchEndpoints/ep/jobs/batchjob-3`)).toBe(`${WS}/jobs/batchjob-3`);
  });

  it("matches segment names case-insensitively and keeps value casing", () => {
    const lower =
      "/SUBSCRIPTIONS/Sub-A/resourcegroups/Rg-B/PROVIDERS/microsoft.machinelearningservices/Workspaces/Ws-C/BatchEndpoints/E/Deployments/D/JOBS/Job-D";
    expect(workspaceJobPath(lower)).toBe("/subscriptions/Sub-A/resourceGroups/Rg-B/providers/Microsoft.MachineLearningServices/workspaces/Ws-C/jobs/Job-D");
  });

  it("prefers the response's name over the id's last segment", () => {
    expect(workspaceJobPath(`${WS}/batchEndpoints/ep/deployments/dep/jobs/other`, "batchjob-9")).toBe(`${WS}/jobs/batchjob-9`);
  });

  it("ignores a trailing slash", () => {
    expect(workspaceJobPath(`${WS}/jobs/batchjob-2/`)).toBe(`${WS}/jobs/batchjob-2`);
  });

  it.each([
    ["not an ARM id", "batchjob-1"],
    ["another provider", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/jobs/j"],
    ["no workspace", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/jobs/j"],
    ["empty segment", "/subscriptions//resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/jobs/j"],
    ["no job name anywhere", `${WS}/batchEndpoints/ep`],
    ["path traversal", `${WS}/jobs/..`],
    ["query in value", `${WS}/jobs/j?x=1`],
  ])("throws UnexpectedResponse for %s", (_label, id) => {
    let caught: unknown;
    try {
      workspaceJobPath(id);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BatchEndpointError);
    expect((caught as BatchEndpointError).code).toBe("UnexpectedResponse");
  });

  it("rejects a name that is not a valid path segment", () => {
    expect(() => workspaceJobPath(`${WS}/jobs/ok`, "../../evil")).toThrow(BatchEndpointError);
  });
});

describe("parseWorkspaceId", () => {
  it("parses a workspace id", () => {
    expect(parseWorkspaceId(WS)).toEqual({ subscriptionId: "sub-1", resourceGroup: "My-RG", workspace: "WS_1" });
    expect(parseWorkspaceId(`${WS}/`)).toEqual({ subscriptionId: "sub-1", resourceGroup: "My-RG", workspace: "WS_1" });
  });

  it("returns null for anything else", () => {
    expect(parseWorkspaceId(`${WS}/jobs/j`)).toBeNull();
    expect(parseWorkspaceId("/subscriptions/s/resourceGroups/rg")).toBeNull();
    expect(parseWorkspaceId("")).toBeNull();
    expect(parseWorkspaceId("subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w")).toBeNull();
  });
});

describe("parseJobPath", () => {
  it("accepts exactly a workspace-level job path", () => {
    expect(parseJobPath(`${WS}/jobs/batchjob-1`)).toEqual({
      subscriptionId: "sub-1",
      resourceGroup: "My-RG",
      workspace: "WS_1",
      jobName: "batchjob-1",
    });
    expect(parseJobPath(`${WS}/batchEndpoints/e/deployments/d/jobs/batchjob-1`)).toBeNull();
    expect(parseJobPath(`${WS}/jobs`)).toBeNull();
  });
});

/**
 * Every role definition id in the Bicep files is the real id of the built-in role named next to
 * it, none is Owner or Contributor (least privilege), every assignment names its role by
 * subscription-level id, and the custom workspace role grants only what the app calls.
 */
import { describe, expect, it } from "vitest";
import { allResources, parseBicep, valueAt } from "./bicep/query";
import { bicepFiles, guidUses, read, rel, varBody } from "./infraFiles";

/**
 * Built-in role name -> definition id.
 * Source: "Azure built-in roles", https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 * (MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md, ms.date 04/09/2026,
 * commit 00a583295ba737a5caf885472cb3bca3624e9cde), sections Storage, AI + machine learning,
 * Monitor, Integration, Security, Privileged.
 */
const builtInRoles: Record<string, string> = {
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-owner
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-reader
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-queue-data-contributor
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-table-data-contributor
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning#azureml-data-scientist
  "AzureML Data Scientist": "f6c7c914-8db3-469d-8ca1-694a8f32e121",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#monitoring-metrics-publisher
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/integration#durable-task-data-contributor
  "Durable Task Data Contributor": "0ad04412-c4d5-4796-b79c-f76d14c8d402",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
};

/** Never granted. Owner and Contributor from the same page, section Privileged. */
const forbidden: Record<string, string> = {
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#owner
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#contributor
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  // Also refused: an id once given for Contributor in this project's notes. It is not Contributor's
  // id (see above), but must not appear either.
  "Contributor (mistyped id)": "b24988ac-6180-49dd-aca3-6c8cc3ebc596",
};

/**
 * Microsoft.MachineLearningServices operations, as "Azure permissions for AI + machine learning"
 * lists them (https://learn.microsoft.com/azure/role-based-access-control/permissions/ai-machine-learning;
 * MicrosoftDocs/azure-docs articles/role-based-access-control/permissions/ai-machine-learning.md,
 * ms.date 04/25/2024, commit df926628327f4aa75b1d8a11e71a397be6dea3cc): those the custom role may
 * use and those it must not.
 */
const documentedOperations = [
  "Microsoft.MachineLearningServices/workspaces/read",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/read",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/write",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/write",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs/read",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs/write",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/read",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write",
  "Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
  "Microsoft.MachineLearningServices/workspaces/data/read",
  "Microsoft.MachineLearningServices/workspaces/data/versions/read",
  "Microsoft.MachineLearningServices/workspaces/data/versions/write",
  "Microsoft.MachineLearningServices/workspaces/components/read",
  "Microsoft.MachineLearningServices/workspaces/components/versions/read",
  "Microsoft.MachineLearningServices/workspaces/datastores/read",
  "Microsoft.MachineLearningServices/workspaces/datastores/write",
  "Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action",
  "Microsoft.MachineLearningServices/workspaces/environments/readSecrets/action",
  "Microsoft.MachineLearningServices/workspaces/jobs/read",
  "Microsoft.MachineLearningServices/workspaces/jobs/write",
  "Microsoft.MachineLearningServices/workspaces/jobs/delete",
  "Microsoft.MachineLearningServices/workspaces/jobs/cancel/action",
  "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action",
];

/**
 * The invoke list of "Authorization on batch endpoints" (section "Configure RBAC for Batch
 * Endpoints invoke"; MicrosoftDocs/azure-ai-docs articles/machine-learning/how-to-authenticate-batch-endpoint.md):
 * a batch job runs as the identity that invokes it. The custom role keeps these but the ones that
 * reveal a secret or write to endpoints, deployments or datastores.
 */
const invokeOperations = [
  "Microsoft.MachineLearningServices/workspaces/data/versions/write",
  "Microsoft.MachineLearningServices/workspaces/datasets/registered/read",
  "Microsoft.MachineLearningServices/workspaces/datasets/registered/write",
  "Microsoft.MachineLearningServices/workspaces/datasets/unregistered/read",
  "Microsoft.MachineLearningServices/workspaces/datasets/unregistered/write",
  "Microsoft.MachineLearningServices/workspaces/computes/read",
  "Microsoft.MachineLearningServices/workspaces/metadata/snapshots/read",
  "Microsoft.MachineLearningServices/workspaces/metadata/artifacts/read",
  "Microsoft.MachineLearningServices/workspaces/metadata/artifacts/write",
  "Microsoft.MachineLearningServices/workspaces/experiments/read",
  "Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action",
  "Microsoft.MachineLearningServices/workspaces/experiments/runs/read",
  "Microsoft.MachineLearningServices/workspaces/experiments/runs/write",
  "Microsoft.MachineLearningServices/workspaces/metrics/resource/write",
  "Microsoft.MachineLearningServices/workspaces/modules/read",
  "Microsoft.MachineLearningServices/workspaces/models/read",
  "Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/read",
  "Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/write",
  "Microsoft.MachineLearningServices/workspaces/environments/read",
  "Microsoft.MachineLearningServices/workspaces/environments/write",
  "Microsoft.MachineLearningServices/workspaces/environments/build/action",
];

/** The custom role: exactly these actions, each commented with the call that needs it. */
const customRoleActions: Record<string, RegExp> = {
  ...Object.fromEntries(invokeOperations.map((a) => [a, /\binvoke\b/])),
  "Microsoft.MachineLearningServices/workspaces/read": /\binvoke\b/,
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/read": /BatchEndpoints Get/,
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read": /BatchDeployments Get/,
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write": /\binvoke\b/,
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs/write": /\binvoke\b/,
  "Microsoft.MachineLearningServices/workspaces/jobs/read": /Jobs Get.*Jobs List/,
  "Microsoft.MachineLearningServices/workspaces/jobs/cancel/action": /Jobs Cancel/,
  "Microsoft.MachineLearningServices/workspaces/datastores/read": /Datastores Get/,
  "Microsoft.MachineLearningServices/workspaces/data/read": /Data Containers Get/,
  "Microsoft.MachineLearningServices/workspaces/data/versions/read": /Data Versions Get/,
  "Microsoft.MachineLearningServices/workspaces/components/read": /ComponentVersions Get/,
  "Microsoft.MachineLearningServices/workspaces/components/versions/read": /ComponentVersions Get/,
};

const uses = guidUses();

describe("role definition ids in infra/*.bicep", () => {
  it("finds the role ids (the scan itself works)", () => {
    expect(bicepFiles().length).toBeGreaterThanOrEqual(5);
    expect(uses.length).toBeGreaterThanOrEqual(7);
  });

  it("names the built-in role next to every GUID, and the GUID is that role's id", () => {
    for (const use of uses) {
      const where = `${rel(use.file)}:${use.line}`;
      expect(use.comment, `${where}: GUID ${use.guid} without a // <role name> comment`).not.toBeNull();
      const roleName = use.comment as string;
      expect(Object.keys(builtInRoles), `${where}: "${roleName}" is not a built-in role in the table`).toContain(roleName);
      expect(use.guid, `${where}: id of ${roleName}`).toBe(builtInRoles[roleName]);
      expect(use.varName, `${where}: a role id is held in a var`).not.toBeNull();
    }
  });

  it("grants neither Owner nor Contributor", () => {
    for (const file of bicepFiles()) {
      const text = read(file).toLowerCase();
      for (const [name, id] of Object.entries(forbidden)) expect(text.includes(id), `${rel(file)} contains ${name} (${id})`).toBe(false);
    }
  });

  it("assigns only those vars (or the custom role), by subscriptionResourceId, at resource scope", () => {
    const roleVars = new Set(uses.map((u) => u.varName));
    let assignments = 0;
    for (const file of bicepFiles()) {
      const source = read(file);
      // A role definition this file creates is assigned by the var that names it.
      const definitionNames = new Set(
        allResources(parseBicep(source))
          .filter((r) => r.typeRef.startsWith("Microsoft.Authorization/roleDefinitions@"))
          .map((r) => valueAt(r.body, "name")?.text),
      );
      for (const m of source.matchAll(/roleDefinitionId:\s*(.+)$/gm)) {
        assignments++;
        const expr = m[1].trim();
        const ref = /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*(\w+)\)$/.exec(expr);
        expect(ref, `${rel(file)}: roleDefinitionId ${expr}`).not.toBeNull();
        const name = (ref as RegExpExecArray)[1];
        if (roleVars.has(name) || definitionNames.has(name)) continue;
        // A var choosing between role-id vars, e.g. `access == 'write' ? contributorId : readerId`.
        const body = varBody(source, name);
        expect(body, `${rel(file)}: var ${name}`).not.toBeNull();
        const idents = [...(body as string).replace(/^\s*var\s+\w+\s*=/, "").replace(/'[^']*'/g, "").matchAll(/\b[A-Za-z_]\w*\b/g)].map((x) => x[0]);
        const roleRefs = idents.filter((i) => roleVars.has(i));
        expect(roleRefs.length, `${rel(file)}: ${name} picks a role id var`).toBeGreaterThan(0);
      }
      // Role assignments target a resource (`scope: storage`, a workspace, a component), never a
      // resource group or subscription.
      for (const block of source.split(/resource \w+ 'Microsoft\.Authorization\/roleAssignments@/).slice(1)) {
        const scope = /^\s*scope:\s*(.+)$/m.exec(block);
        expect(scope, `${rel(file)}: a role assignment without an explicit resource scope`).not.toBeNull();
        expect((scope as RegExpExecArray)[1]).not.toMatch(/resourceGroup\(|subscription\(/);
      }
    }
    expect(assignments).toBeGreaterThanOrEqual(7);
  });

  describe("the custom workspace role", () => {
    const source = read(bicepFiles().find((f) => f.endsWith("rbac-workspace.bicep")) as string);
    const lines = [...source.matchAll(/^\s*'(Microsoft\.[^']+)'\s*(?:\/\/\s*(.*))?$/gm)].map((m) => ({ action: m[1]!, comment: m[2] ?? "" }));
    const definition = allResources(parseBicep(source)).find((r) => r.typeRef.startsWith("Microsoft.Authorization/roleDefinitions@"));

    it("grants exactly the actions the app's calls need, each commented with its call", () => {
      expect(lines.map((l) => l.action).sort()).toEqual(Object.keys(customRoleActions).sort());
      for (const { action, comment } of lines) expect(comment, action).toMatch(customRoleActions[action]!);
    });

    it("uses only operations Microsoft documents; none reveals a secret, deletes, or writes to endpoints, deployments or datastores", () => {
      for (const { action } of lines) {
        expect([...documentedOperations, ...invokeOperations], action).toContain(action);
        expect(action).not.toMatch(/\*|listKeys|listsecrets|listStorageAccountKeys|readSecrets|secrets\/read|\/delete$/i);
        expect(action).not.toMatch(/\/(batchEndpoints|batchEndpoints\/deployments|datastores)\/write$/);
      }
    });

    it("puts those actions, and only those, in the role definition", () => {
      expect(definition).toBeDefined();
      const permissions = valueAt(definition!.body, "properties.permissions");
      expect(permissions?.kind).toBe("array");
      const first = permissions?.kind === "array" ? permissions.items[0] : undefined;
      expect(valueAt(first, "actions")?.text).toBe("customRoleActions");
      for (const key of ["notActions", "dataActions", "notDataActions"]) {
        const v = valueAt(first, key);
        if (v !== undefined) expect(v.kind === "array" && v.items.length, key).toBe(0);
      }
    });
  });
});

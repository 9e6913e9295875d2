/**
 * The ready host.json variants under infra/host/: each parses, is host.json with only the Durable
 * storage provider swapped (same hub, same everything else), and names only settings the
 * provider really has.
 *
 * After editing host.json, regenerate the variants with
 * `INFRA_WRITE_HOST_VARIANTS=1 npx vitest run test/infra/hostVariants.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { infraDir, repoRoot } from "./infraFiles";

type Json = Record<string, unknown>;
interface HostJson extends Json {
  version: string;
  extensions: { durableTask: Json & { hubName: string; storageProvider: Json } } & Json;
}

/** The storage provider of each variant: the source these files are generated from. */
const providers: Record<string, Json> = {
  "host.azure-storage.json": { type: "AzureStorage" },
  // https://learn.microsoft.com/azure/azure-functions/durable/durable-task-scheduler/quickstart-durable-task-scheduler (host.json section)
  "host.durable-task-scheduler.json": { type: "azureManaged", connectionStringName: "DURABLE_TASK_SCHEDULER_CONNECTION_STRING" },
  // https://microsoft.github.io/durabletask-mssql/#/quickstart?id=hostjson-configuration
  "host.mssql.json": { type: "mssql", connectionStringName: "SQLDB_Connection", taskEventLockTimeout: "00:02:00", createDatabaseIfNotExists: true },
  // https://microsoft.github.io/durabletask-netherite/#/settings
  "host.netherite.json": { type: "Netherite", StorageConnectionName: "AzureWebJobsStorage", EventHubsConnectionName: "EventHubsConnection", PartitionCount: 12 },
};

/**
 * `extensions.durableTask` properties Durable Functions 2.x/3.x reads.
 * Sources: host.json reference, https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-bindings#hostjson-settings
 * (and https://learn.microsoft.com/azure/azure-functions/functions-host-json#durabletask), and the public properties of
 * DurableTaskOptions in Azure/azure-functions-durable-extension
 * (src/WebJobs.Extensions.DurableTask/Options/DurableTaskOptions.cs).
 */
const durableTaskProperties = [
  "hubName", "defaultVersion", "versionMatchStrategy", "versionFailureStrategy", "storageProvider", "tracing", "httpSettings",
  "notifications", "maxConcurrentActivityFunctions", "maxConcurrentOrchestratorFunctions", "maxConcurrentEntityFunctions",
  "localRpcEndpointEnabled", "maxEntityOperationBatchSize", "extendedSessionsEnabled", "extendedSessionIdleTimeoutInSeconds",
  "maxOrchestrationActions", "overridableExistingInstanceStates", "entityMessageReorderWindowInMinutes", "useGracefulShutdown",
  "rollbackEntityOperationsOnExceptions", "throwStatusExceptionsOnRaiseEvent", "useAppLease", "appLeaseOptions",
  "storeInputsInOrchestrationHistory",
];

/** `storageProvider` properties per provider `type` (matched case-insensitively, as the host binds them). */
const storageProviderProperties: Record<string, string[]> = {
  // The built-in Azure Storage provider. Same host.json reference as above (storageProvider
  // section), and AzureStorageOptions.cs in the durable extension repository.
  azurestorage: [
    "type", "connectionName", "connectionStringName", "controlQueueBatchSize", "controlQueueBufferThreshold",
    "controlQueueVisibilityTimeout", "fetchLargeMessagesAutomatically", "maxQueuePollingInterval", "partitionCount",
    "trackingStoreConnectionName", "trackingStoreConnectionStringName", "trackingStoreNamePrefix", "useLegacyPartitionManagement",
    "useTablePartitionManagement", "workItemQueueVisibilityTimeout", "queueClientMessageEncoding", "allowReplayingTerminalInstances",
  ],
  // Durable Task Scheduler: https://learn.microsoft.com/azure/azure-functions/durable/durable-task-scheduler/quickstart-durable-task-scheduler
  // and Azure-Samples/durable-functions-quickstart-typescript-azd src/host.json. The docs name no other property.
  azuremanaged: ["type", "connectionStringName"],
  // MSSQL: SqlDurabilityOptions (JsonProperty names) in microsoft/durabletask-mssql,
  // src/DurableTask.SqlServer.AzureFunctions/SqlDurabilityOptions.cs; documented at
  // https://microsoft.github.io/durabletask-mssql/#/quickstart
  mssql: ["type", "connectionStringName", "taskHubName", "taskEventLockTimeout", "taskEventBatchSize", "createDatabaseIfNotExists", "schemaName"],
  // Netherite: NetheriteOrchestrationServiceSettings in microsoft/durabletask-netherite,
  // src/DurableTask.Netherite/OrchestrationService/NetheriteOrchestrationServiceSettings.cs;
  // documented at https://microsoft.github.io/durabletask-netherite/#/settings
  netherite: [
    "type", "StorageConnectionName", "EventHubsConnectionName", "PartitionCount", "LoadInformationAzureTableName",
    "MaxConcurrentActivityFunctions", "MaxConcurrentOrchestratorFunctions", "MaxConcurrentEntityFunctions", "CacheOrchestrationCursors",
    "InstanceCacheSizeMB", "PackPartitionTaskMessages", "PersistDequeueCountBeforeStartingWorkItem",
    "TakeStateCheckpointWhenStoppingPartition", "MaxNumberBytesBetweenCheckpoints", "MaxNumberEventsBetweenCheckpoints",
    "IdleCheckpointFrequencyMs", "PageBlobStorageConnectionName",
  ],
};

/** App settings each provider's connection names point at, documented in infra/README.md. */
const connectionSettings: Record<string, string[]> = {
  "host.durable-task-scheduler.json": ["DURABLE_TASK_SCHEDULER_CONNECTION_STRING"],
  "host.mssql.json": ["SQLDB_Connection"],
  "host.netherite.json": ["EventHubsConnection"],
};

const hostDir = path.join(infraDir, "host");
const baseHost = JSON.parse(fs.readFileSync(path.join(repoRoot, "host.json"), "utf8")) as HostJson;
const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));

function withoutProvider(host: HostJson): HostJson {
  const copy = JSON.parse(JSON.stringify(host)) as HostJson;
  delete (copy.extensions.durableTask as Json).storageProvider;
  return copy;
}

if (process.env.INFRA_WRITE_HOST_VARIANTS === "1") {
  for (const [file, provider] of Object.entries(providers)) {
    const host = JSON.parse(JSON.stringify(baseHost)) as HostJson;
    host.extensions.durableTask.storageProvider = provider;
    fs.writeFileSync(path.join(hostDir, file), `${JSON.stringify(host, null, 2)}\n`);
  }
}

describe("infra/host/*.json durable backend variants", () => {
  const files = fs.readdirSync(hostDir).filter((f) => f.endsWith(".json")).sort();

  it("has exactly the four backends", () => {
    expect(files).toEqual(Object.keys(providers).sort());
  });

  for (const file of Object.keys(providers)) {
    describe(file, () => {
      const text = fs.readFileSync(path.join(hostDir, file), "utf8");

      it("parses, version 2.0, the same hub as host.json", () => {
        const host = JSON.parse(text) as HostJson;
        expect(host.version).toBe("2.0");
        expect(host.extensions.durableTask.hubName).toBe(baseHost.extensions.durableTask.hubName);
        expect(host.extensions.durableTask.hubName).toBe("BatchScoringHub");
      });

      it("is host.json with only the storage provider swapped", () => {
        const host = JSON.parse(text) as HostJson;
        expect(withoutProvider(host)).toEqual(withoutProvider(baseHost));
        expect(host.extensions.durableTask.storageProvider).toEqual(providers[file]);
      });

      it("names only real durableTask and storageProvider settings", () => {
        const durableTask = (JSON.parse(text) as HostJson).extensions.durableTask;
        const allowed = lower(durableTaskProperties);
        for (const key of Object.keys(durableTask)) expect(allowed.has(key.toLowerCase()), `durableTask.${key}`).toBe(true);
        const provider = durableTask.storageProvider;
        const type = String(provider.type ?? "AzureStorage").toLowerCase();
        expect(Object.keys(storageProviderProperties), `storageProvider.type ${type}`).toContain(type);
        const providerAllowed = lower(storageProviderProperties[type]);
        for (const key of Object.keys(provider)) expect(providerAllowed.has(key.toLowerCase()), `storageProvider.${key} (${type})`).toBe(true);
      });
    });
  }

  it("host.azure-storage.json is host.json itself", () => {
    expect(JSON.parse(fs.readFileSync(path.join(hostDir, "host.azure-storage.json"), "utf8"))).toEqual(baseHost);
  });

  it("documents each variant and the settings its connection names need", () => {
    const backends = fs.readFileSync(path.join(infraDir, "DURABLE_BACKENDS.md"), "utf8");
    const readme = fs.readFileSync(path.join(infraDir, "README.md"), "utf8");
    for (const file of Object.keys(providers)) expect(backends).toContain(`host/${file}`);
    for (const [file, settings] of Object.entries(connectionSettings)) {
      for (const setting of settings) {
        expect(backends, `${file}: ${setting}`).toContain(setting);
        expect(readme, `${file}: ${setting} in the settings table`).toContain(`\`${setting}\``);
      }
    }
  });
});

/**
 * Every setting the app reads is either set by the Bicep template or listed as optional in
 * infra/README.md's settings table, and the table tells the truth about which the template sets.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBicep, valueAt } from "./bicep/query";
import { bicepAppSettings, infraDir, read, readmeSettingsTable, settingsReadByApp } from "./infraFiles";

/** Required for the app on Azure: the credential and the identity-based host storage connection. */
const HOST_STORAGE_SETTINGS = [
  "AZURE_CLIENT_ID",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
];

const readByApp = settingsReadByApp();
const setByTemplate = bicepAppSettings();
const table = readmeSettingsTable();
const tableByName = new Map(table.map((row) => [row.name, row]));

describe("app settings on Azure", () => {
  it("finds the settings the app reads (the extraction itself works)", () => {
    // A broken regex must not make the checks below pass vacuously.
    for (const known of ["AZURE_CLIENT_ID", "AML_WORKSPACE_ID", "SCORING_POLL_MODE", "SCORING_DEFAULT_POLL_SECONDS", "BLOB_TRIGGER_ENDPOINT_URI", "BLOB_TRIGGER_POLL_SECONDS"]) {
      expect(readByApp.has(known), known).toBe(true);
    }
    expect(readByApp.size).toBeGreaterThanOrEqual(20);
    expect(setByTemplate.has("AZURE_CLIENT_ID")).toBe(true);
    expect(setByTemplate.has("AzureWebJobsStorage__blobServiceUri")).toBe(true);
  });

  it("sets every setting the app reads in the template, or documents it as optional", () => {
    const missing = [...readByApp.keys()].filter((name) => !setByTemplate.has(name) && !tableByName.get(name)?.optional);
    expect(missing, "read by src/ but neither set in infra/*.bicep nor optional in infra/README.md").toEqual([]);
  });

  it("documents every setting the app reads in infra/README.md", () => {
    const undocumented = [...readByApp.keys()].filter((name) => !tableByName.has(name));
    expect(undocumented).toEqual([]);
  });

  it("says 'template' exactly for the settings the template sets", () => {
    for (const row of table) {
      const byTemplate = /template/i.test(row.setBy);
      expect(byTemplate, `${row.name}: set-by column "${row.setBy}"`).toBe(setByTemplate.has(row.name));
    }
    const notInTable = [...setByTemplate.keys()].filter((name) => !tableByName.has(name));
    expect(notInTable, "set by the template but missing from the README table").toEqual([]);
  });

  it("marks a setting optional only if the app or the host runs without it", () => {
    // Required for the app to work on Azure: the credential and the host storage connection.
    for (const name of HOST_STORAGE_SETTINGS) {
      expect(tableByName.get(name)?.optional, name).toBe(false);
    }
  });

  it("connects host storage by the account's own service endpoints (right in every cloud), not by account name", () => {
    const functionApp = parseBicep(read(path.join(infraDir, "modules", "functionapp.bicep")));
    const settings = functionApp.vars.find((v) => v.name === "hostStorageSettings")?.value;
    for (const service of ["blob", "queue", "table"]) {
      expect(valueAt(settings, `AzureWebJobsStorage__${service}ServiceUri`)?.text).toBe(`storage.properties.primaryEndpoints.${service}`);
    }
    expect(setByTemplate.has("AzureWebJobsStorage__accountName")).toBe(false);
  });

  it("keeps secrets out of the template: identity-based storage, Entra ID telemetry", () => {
    expect(setByTemplate.has("AzureWebJobsStorage")).toBe(false);
    expect([...setByTemplate.keys()].filter((k) => /key|password|secret|sas/i.test(k))).toEqual([]);
  });
});

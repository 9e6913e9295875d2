/**
 * Builds adf/arm/RunBatchScoring.template.json from the linked service and pipeline files, in the
 * shape ADF Studio's "Export ARM template" produces (Microsoft.DataFactory/factories/* resources,
 * apiVersion 2018-06-01, names `[concat(parameters('factoryName'), '/<name>')]`). The placeholder
 * URLs and secret name become template parameters. The test compares the committed template with
 * this output; `ADF_WRITE_ARM=1 npx vitest run test/adf` rewrites it.
 */
import type { LinkedServiceDef, PipelineDef } from "./adfRunner";

const API_VERSION = "2018-06-01";

const placeholders: Record<string, string> = {
  "https://YOUR-FUNCTION-APP.azurewebsites.net": "[parameters('functionAppUrl')]",
  "https://YOUR-KEY-VAULT.vault.azure.net": "[parameters('keyVaultUrl')]",
  "scoring-function-key": "[parameters('functionKeySecretName')]",
};

/** ARM evaluates strings starting with '[' (and not '[['): escape any literal one; swap placeholders for parameters. */
function armValue(value: unknown): unknown {
  if (typeof value === "string") {
    if (Object.hasOwn(placeholders, value)) return placeholders[value];
    return value.startsWith("[") && !value.startsWith("[[") ? `[${value}` : value;
  }
  if (Array.isArray(value)) return value.map(armValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, armValue(v)]));
  }
  return value;
}

/** Names of linked services a definition references (LinkedServiceReference objects anywhere in it). */
export function linkedServiceRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => linkedServiceRefs(v, out));
  else if (typeof value === "object" && value !== null) {
    const o = value as Record<string, unknown>;
    if (o.type === "LinkedServiceReference" && typeof o.referenceName === "string") out.add(o.referenceName);
    Object.values(o).forEach((v) => linkedServiceRefs(v, out));
  }
  return out;
}

const dependsOnLinkedServices = (properties: unknown) =>
  [...linkedServiceRefs(properties)].sort().map((n) => `[concat(variables('factoryId'), '/linkedServices/${n}')]`);

export function buildArmTemplate(linkedServices: LinkedServiceDef[], pipelines: PipelineDef[]): Record<string, unknown> {
  const resource = (kind: "linkedServices" | "pipelines", name: string, properties: unknown) => ({
    name: `[concat(parameters('factoryName'), '/${name}')]`,
    type: `Microsoft.DataFactory/factories/${kind}`,
    apiVersion: API_VERSION,
    properties: armValue(properties),
    dependsOn: dependsOnLinkedServices(properties),
  });
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      factoryName: { type: "string", metadata: { description: "Data Factory name (the factory must exist and have a system-assigned managed identity)." } },
      functionAppUrl: { type: "string", metadata: { description: "Scoring Function App base URL, e.g. https://my-scoring.azurewebsites.net (no trailing slash)." } },
      keyVaultUrl: { type: "string", metadata: { description: "Key Vault base URL, e.g. https://my-vault.vault.azure.net (no trailing slash)." } },
      functionKeySecretName: { type: "string", defaultValue: "scoring-function-key", metadata: { description: "Name of the Key Vault secret that holds the Function App's function key." } },
    },
    variables: { factoryId: "[concat('Microsoft.DataFactory/factories/', parameters('factoryName'))]" },
    resources: [
      ...[...linkedServices].sort((a, b) => a.name.localeCompare(b.name)).map((ls) => resource("linkedServices", ls.name, ls.properties)),
      ...[...pipelines].sort((a, b) => a.name.localeCompare(b.name)).map((p) => resource("pipelines", p.name, p.properties)),
    ],
  };
}

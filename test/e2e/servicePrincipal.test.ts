/**
 * Pipelines copied from the service-principal template send tenant_id, client_id and
 * client_secret. The app uses its own managed identity: the ids are ignored with a warning on
 * the run; a secret is refused by name, and its value is never echoed, logged or stored.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack";

const SECRET = "Sp-Secret~value.9f3c1a7e";

describe("service-principal fields of the seed template", () => {
  let stack: Stack;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-fields-"));
  beforeAll(async () => {
    stack = await startStack({ stateDir });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const seed = (extra: Record<string, unknown>) => ({
    endpoint_uri: stack.emulator.scoringUri,
    endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
    endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/sp-${Math.random().toString(36).slice(2)}.csv`,
    preflight: "off",
    ...extra,
  });

  it("tenant_id and client_id start the run, with a warning that names them and not their values", async () => {
    const started = await stack.api("/api/scoring-runs?wait=1", { json: seed({ tenant_id: "tenant-guid-1", client_id: "client-guid-2" }) });
    expect(started.status).toBeLessThan(300);
    await stack.host.engine.idle();
    const view = await stack.api(`/api/scoring-runs/${started.body.id}`);
    const warning = view.body.warnings.find((w: { code: string }) => w.code === "ServicePrincipalIgnored");
    expect(warning.message).toMatch(/tenant_id and client_id were ignored: the app calls Azure ML with its own managed identity/);
    expect(JSON.stringify(view.body)).not.toMatch(/tenant-guid-1|client-guid-2/);
    expect(stack.emulator.jobs).toHaveLength(1);
  });

  it.each([
    ["client_secret", { tenant_id: "t", client_id: "c" }],
    ["clientSecret", {}],
  ])("%s is a 400 that says why; nothing starts, and the value is nowhere: answer, log, state, emulator", async (field, extra) => {
    const jobsBefore = stack.emulator.jobs.length;
    const runsBefore = stack.host.engine.all().length;
    const body = field === "clientSecret" ? { ...stack.startBody(), clientSecret: SECRET } : seed({ ...extra, [field]: SECRET });
    const res = await stack.api("/api/scoring-runs", { json: body });
    expect(res.status).toBe(400);
    const detail = res.body.error.details.find((d: { field: string }) => d.field === field);
    expect(detail.message).toMatch(/the app never takes a secret.*managed identity/);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    await stack.host.engine.idle();
    expect(stack.host.engine.all()).toHaveLength(runsBefore);
    expect(stack.emulator.jobs).toHaveLength(jobsBefore);
    expect(stack.logs.join("\n")).not.toContain(SECRET);
    const stored = fs.readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const file of stored) expect(fs.readFileSync(path.join(file.parentPath, file.name), "utf8")).not.toContain(SECRET);
    expect(stored.length).toBeGreaterThan(0);
  });
});

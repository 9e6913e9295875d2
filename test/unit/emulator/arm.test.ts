import { describe, expect, it } from "vitest";
import { API, createJob, invoke, jobUrl, pascalBody, useEmulator } from "./helpers";

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; json: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : JSON.parse(text) };
}

describe("batch emulator: ARM paths", () => {
  const ctx = useEmulator();
  const wsPath = (sub: string, rg: string, ws: string): string =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${ws}`;

  it("404s a wrong subscription, resource group or workspace", async () => {
    const name = await createJob(ctx.emu);
    const cases: [string, string][] = [
      [wsPath("sub-9999", "rg-scoring", "ws-scoring"), "SubscriptionNotFound"],
      [wsPath("sub-0000", "rg-other", "ws-scoring"), "ResourceGroupNotFound"],
      [wsPath("sub-0000", "rg-scoring", "ws-other"), "ResourceNotFound"],
    ];
    for (const [path, code] of cases) {
      const res = await getJson(`${ctx.emu.armEndpoint}${path}/jobs/${name}?api-version=${API}`);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe(code);
    }
    expect(ctx.emu.job(name)!.statusGets).toBe(0);
  });

  it("400s a missing api-version", async () => {
    const name = await createJob(ctx.emu);
    const res = await getJson(jobUrl(ctx.emu, name, "", null));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("MissingApiVersionParameter");
    const cancel = await getJson(jobUrl(ctx.emu, name, "/cancel", null), { method: "POST" });
    expect(cancel.status).toBe(400);
  });

  it("404s other paths under /arm, including the nested batch job id", async () => {
    const invoked = await invoke(ctx.emu);
    const nested = await getJson(`${ctx.emu.armEndpoint}${invoked.json.id}?api-version=${API}`);
    expect(nested.status).toBe(404);
    expect((await getJson(`${ctx.emu.armEndpoint}/subscriptions?api-version=${API}`)).status).toBe(404);
    expect((await getJson(`${ctx.emu.armEndpoint}${ctx.emu.workspaceId}/computes/x?api-version=${API}`)).status).toBe(404);
    const wrongMethod = await getJson(jobUrl(ctx.emu, invoked.json.name), { method: "DELETE" });
    expect(wrongMethod.status).toBe(404);
    expect(ctx.emu.requestsFor("other")).toHaveLength(4);
  });

  it("matches ARM path literals and scope names case-insensitively", async () => {
    const name = await createJob(ctx.emu);
    const url = `${ctx.emu.armEndpoint}/SUBSCRIPTIONS/SUB-0000/resourcegroups/RG-SCORING/providers/microsoft.machinelearningservices/workspaces/WS-Scoring/jobs/${name}?api-version=${API}`;
    expect((await getJson(url)).status).toBe(200);
  });
});

describe("batch emulator: Jobs List", () => {
  const ctx = useEmulator({ listPageSize: 2, deployments: ["blue", "green", { name: "scorer-pipeline", type: "pipelineComponent" }] });
  const listUrl = (query: string): string => `${ctx.emu.armEndpoint}${ctx.emu.workspaceId}/jobs?api-version=${API}${query}`;

  async function invokeWith(tags: Record<string, string>, properties: Record<string, string>, dep = "blue"): Promise<string> {
    const res = await invoke(ctx.emu, { properties: { ...pascalBody.properties, tags, properties } }, { "azureml-model-deployment": dep });
    expect(res.status).toBe(201);
    return res.json.name as string;
  }

  it("lists newest first with nextLink paging", async () => {
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push(await createJob(ctx.emu));
    const seen: string[] = [];
    let url: string | undefined = listUrl("");
    let pages = 0;
    while (url !== undefined) {
      const page = await getJson(url);
      expect(page.status).toBe(200);
      expect(page.json.value.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.value.map((j: any) => j.name));
      url = page.json.nextLink;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].reverse());
    // Listing does not count as a status GET.
    expect(ctx.emu.jobs.every((j) => j.statusGets === 0)).toBe(true);
  });

  it("filters by tag key presence, including the service's own tags", async () => {
    ctx.emu.configure({ keepInvokeMarkers: true });
    const tagged = await invokeWith({ clientInvokeId: "a" }, {});
    await invokeWith({ other: "x" }, {});
    const res = await getJson(listUrl("&tag=clientInvokeId"));
    expect(res.json.value.map((j: any) => j.name)).toEqual([tagged]);
    expect(res.json.nextLink).toBeUndefined();
    const green = await invokeWith({}, {}, "green");
    const batch = await getJson(listUrl("&tag=azureml.deploymentname"));
    expect(batch.json.value[0]).toMatchObject({ name: green, properties: { tags: { "azureml.batchrun": "true", "azureml.deploymentname": "green" } } });
  });

  it("at 2022-10-01 a properties= filter is not a parameter: ignored, not applied", async () => {
    ctx.emu.configure({ keepInvokeMarkers: true });
    const a = await invokeWith({}, { clientInvokeId: "inv-1" });
    const b = await invokeWith({}, { clientInvokeId: "inv-2" });
    const res = await getJson(listUrl(`&properties=${encodeURIComponent("clientInvokeId=inv-1")}`));
    expect(res.json.value.map((j: any) => j.name)).toEqual([b, a]);
  });

  it("from 2024-04-01 it filters by properties key and key=value terms", async () => {
    ctx.emu.configure({ keepInvokeMarkers: true });
    const at2024 = (q: string) => listUrl(q).replace(`api-version=${API}`, "api-version=2024-04-01");
    const a = await invokeWith({}, { clientInvokeId: "inv-1", run: "r" });
    const b = await invokeWith({}, { clientInvokeId: "inv-2", run: "r" });
    await invokeWith({}, { unrelated: "1" });
    const one = await getJson(at2024(`&properties=${encodeURIComponent("clientInvokeId=inv-1")}`));
    expect(one.json.value.map((j: any) => j.name)).toEqual([a]);
    const both = await getJson(at2024(`&properties=${encodeURIComponent("run,clientInvokeId")}`));
    expect(both.json.value.map((j: any) => j.name)).toEqual([b, a]);
    const none = await getJson(at2024(`&properties=${encodeURIComponent("run=r,clientInvokeId=inv-3")}`));
    expect(none.json.value).toEqual([]);
  });

  it("a model deployment drops the tags and properties sent at invoke; a pipeline-component deployment keeps the properties", async () => {
    const model = await invokeWith({ clientInvokeId: "t" }, { clientInvokeId: "p" });
    const pipeline = await invokeWith({ clientInvokeId: "t" }, { clientInvokeId: "p" }, "scorer-pipeline");
    expect(ctx.emu.job(model)).toMatchObject({ properties: {}, tags: { "azureml.batchrun": "true" } });
    expect(ctx.emu.job(model)!.tags.clientInvokeId).toBeUndefined();
    expect(ctx.emu.job(pipeline)!.properties).toEqual({ clientInvokeId: "p" });
    expect(ctx.emu.job(pipeline)!.tags.clientInvokeId).toBeUndefined();
  });

  it("oldest first, when configured so (the service documents no order)", async () => {
    ctx.emu.configure({ listOrder: "oldestFirst" });
    const names = [await createJob(ctx.emu), await createJob(ctx.emu)];
    const res = await getJson(listUrl(""));
    expect(res.json.value.map((j: any) => j.name)).toEqual(names);
  });

  it("keeps filters in nextLink", async () => {
    ctx.emu.configure({ keepInvokeMarkers: true });
    for (let i = 0; i < 3; i++) await invokeWith({ k: "v" }, {});
    await invokeWith({}, {});
    const first = await getJson(listUrl("&tag=k"));
    expect(first.json.value).toHaveLength(2);
    const next = new URL(first.json.nextLink);
    expect(next.searchParams.get("tag")).toBe("k");
    expect(next.searchParams.get("api-version")).toBe(API);
    const second = await getJson(first.json.nextLink);
    expect(second.json.value).toHaveLength(1);
    expect(second.json.nextLink).toBeUndefined();
  });
});

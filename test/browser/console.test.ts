/**
 * The runs console in a real browser (Debian's Chromium through playwright-core) against the dev
 * host and the batch emulator, on the wall clock with 1 s polls: list and filter runs, read a failed
 * run's error and timeline, cancel a running run, rerun a failed one, a batch's page, read-only
 * mode, the function key kept out of URLs and storage, and a run's tags and error text that hold
 * markup shown as text. Screenshots go to test-results/console/.
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "../e2e/stack";
import { launchChromium, screenshot } from "./chromium";

/** Script that must stay text: if any of it ran, window.__xss would be set. */
const scriptInError = `<script>window.__xss = "error"</script><img src=x onerror="window.__xss = 'img'"> scoring crashed`;
const scriptInTag = `<script>window.__xss = "tag"</script>`;

let stack: Stack;
let browser: Browser;
let base: string;
const runs = { succeeded: "", failed: "", running: "" };
let batchId = "";

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts a run whose job gets `lifecycle`, and waits until that job exists (so the next run's lifecycle is its own). */
async function startRun(overrides: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 1, ...overrides }), headers });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.id as string;
  await until(`a job for ${id}`, async () => ((await stack.api(`/api/scoring-runs/${id}`)).body.job ? true : undefined));
  return id;
}

const runEnded = (id: string) => until(`${id} to end`, async () => ((await stack.api(`/api/scoring-runs/${id}`)).status === 200 ? true : undefined));

async function openPage(path = ""): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (err) => {
    throw err;
  });
  await page.goto(`${base}/api/console${path}`);
  return page;
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ clock: "wall", azurite: true }), launchChromium()]);
  base = stack.host.baseUrl;
  stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(1));
  runs.succeeded = await startRun({ tags: { team: "risk" } }, { "x-correlation-id": "nightly-42" });
  stack.emulator.enqueueLifecycle(lifecycles.failsWith(scriptInError, 1));
  runs.failed = await startRun({ tags: { note: scriptInTag } });
  stack.emulator.enqueueLifecycle(lifecycles.timed([["Running", 600_000]], "Completed"));
  runs.running = await startRun({});
  // A batch of two, started now so that it runs while the runs above end (its jobs take the default lifecycle).
  const item = () => ({ output: { uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/batch-${randomUUID()}.csv` } });
  const { output: _none, ...template } = stack.startBody({ pollIntervalSeconds: 1 });
  const batch = await stack.api("/api/scoring-batches", { json: { template, items: [item(), item()] } });
  expect(batch.status, JSON.stringify(batch.body)).toBe(202);
  batchId = batch.body.id as string;
  await Promise.all([runEnded(runs.succeeded), runEnded(runs.failed)]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the runs console", () => {
  it("lists runs with status, endpoint, deployment, correlation id, age and duration", async () => {
    const page = await openPage();
    const row = page.locator(`tr[data-run-id="${runs.succeeded}"]`);
    await row.waitFor();
    const cells = await row.locator("th, td").allInnerTexts();
    expect(cells[0]).toContain(runs.succeeded);
    expect(cells.slice(1, 5)).toEqual(["Succeeded", stack.emulator.endpointName, "default", "nightly-42"]);
    expect(cells[5]).toMatch(/ago$/);
    expect(cells[6]).toMatch(/^\d+ s$/);
    for (const id of Object.values(runs)) await expect(page.locator(`tr[data-run-id="${id}"]`).count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-run-id="${runs.running}"] td`).nth(0).innerText()).resolves.toBe("Running");
    await screenshot(page, "runs-list");
    await page.close();
  });

  it("filters by status, endpoint and time, and keeps the filter in the URL", async () => {
    const page = await openPage();
    await page.locator(`tr[data-run-id="${runs.succeeded}"]`).waitFor();
    const listCalls: string[] = [];
    page.on("request", (r) => r.url().includes("/api/scoring-runs?") && listCalls.push(r.url()));

    await page.getByLabel("Failed").check();
    await expect.poll(() => page.evaluate<string>("location.hash")).toContain("status=Failed");
    await expect.poll(() => page.locator("tbody tr[data-run-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")))).toEqual([runs.failed]);

    await page.getByLabel("Endpoint (name or scoring URI)").fill("no-such-endpoint");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.locator("caption").first().innerText()).toBe("No runs match these filters.");

    await page.getByLabel("Endpoint (name or scoring URI)").fill(stack.emulator.endpointName);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByLabel("Created in").selectOption("1h");
    await expect.poll(() => page.locator("tbody tr[data-run-id]").count()).toBe(1);
    expect(new URL(listCalls.at(-1)!).searchParams.get("createdAfter")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(decodeURIComponent(await page.evaluate<string>("location.hash"))).toBe(`#/runs?status=Failed&endpoint=${stack.emulator.endpointName}&since=1h`);
    await page.close();
  });

  it("opens a failed run: its error, its timeline with a tick per poll, pre-flight and request, markup shown as text", async () => {
    const page = await openPage();
    await page.locator(`a[href="#/runs/${runs.failed}"]`).click();
    const error = page.locator("section.error-panel");
    await error.waitFor();
    await expect(error.locator("strong").innerText()).resolves.toBe("JobFailed");
    await expect(error.locator(".error-message").innerText()).resolves.toContain(scriptInError.slice(0, 40));

    const view = (await stack.api(`/api/scoring-runs/${runs.failed}`)).body;
    const svg = page.locator("svg.timeline");
    await expect(svg.locator("line.tick").count()).resolves.toBe(view.progress.recentPolls.length);
    expect(view.progress.recentPolls.length).toBeGreaterThan(0);
    await expect(svg.locator("rect.bar").evaluateAll((bars) => bars.map((b) => b.getAttribute("data-phase")))).resolves.toEqual(
      expect.arrayContaining(["preflight", "queued"]),
    );
    const events = await page
      .getByRole("table", { name: "Events" })
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.textContent ?? ""));
    expect(events.find((e) => /UTCfailed/.test(e))).toContain("JobFailed");
    await expect(
      page
        .getByRole("table", { name: /Mode strict/ })
        .locator("tbody tr")
        .count(),
    ).resolves.toBeGreaterThan(0);

    // Not one of the run's texts became markup, and none of its script ran.
    await expect(page.locator("table.tags td").innerText()).resolves.toBe(scriptInTag);
    await expect(page.evaluate("window.__xss")).resolves.toBeUndefined();
    await expect(page.locator("script").count()).resolves.toBe(1);
    await expect(page.locator('img[src="x"]').count()).resolves.toBe(0);
    // And were some markup to get in, the CSP keeps an inline script from running.
    await page.addScriptTag({ content: "window.__inline = 1" }).catch(() => undefined);
    await expect(page.evaluate("window.__inline")).resolves.toBeUndefined();
    await screenshot(page, "run-failed");
    await page.close();
  });

  it("read-only mode shows no action anywhere", async () => {
    process.env.SCORING_CONSOLE_READ_ONLY = "true";
    try {
      const page = await openPage(`#/runs/${runs.running}`);
      await expect(page.locator(".badge-readonly").innerText()).resolves.toBe("Read-only");
      // A running run would offer Cancel, an ended one Rerun.
      for (const id of [runs.running, runs.failed]) {
        await page.evaluate(`location.hash = ${JSON.stringify(`#/runs/${id}`)}`);
        await page.locator(`[data-run-view="${id}"]`).waitFor();
        await expect(page.getByRole("button", { name: /Cancel|Rerun/ }).count()).resolves.toBe(0);
        await expect(page.locator("dialog").count()).resolves.toBe(0);
      }
      await page.close();
    } finally {
      delete process.env.SCORING_CONSOLE_READ_ONLY;
    }
  });

  it("cancels a running run after a confirmation, and shows it end Canceled", async () => {
    const page = await openPage(`#/runs/${runs.running}`);
    await page.getByRole("button", { name: "Cancel run" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this run?" });
    await dialog.getByLabel("Reason (optional, kept with the run)").fill("wrong input folder");
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await expect(dialog.isVisible()).resolves.toBe(false);
    expect((await stack.api(`/api/scoring-runs/${runs.running}`)).body.status).toBe("Running");

    await page.getByRole("button", { name: "Cancel run" }).click();
    await dialog.getByLabel("Reason (optional, kept with the run)").fill("wrong input folder");
    await dialog.getByRole("button", { name: "Cancel the run" }).click();
    await page.locator("h1 .badge", { hasText: "Canceled" }).waitFor({ timeout: 20_000 });
    await expect(page.locator("section.error-panel strong").innerText()).resolves.toBe("RunCanceled");
    await expect(page.locator("section.error-panel .error-message").innerText()).resolves.toContain("wrong input folder");
    await expect(page.getByRole("button", { name: "Cancel run" }).count()).resolves.toBe(0);
    await page.close();
  });

  it("reruns a failed run after a confirmation, and opens the new run", async () => {
    const page = await openPage(`#/runs/${runs.failed}`);
    await page.getByRole("button", { name: "Rerun" }).click();
    await page.getByRole("dialog", { name: "Rerun this run?" }).getByRole("button", { name: "Start the rerun" }).click();
    // (waitForFunction with a string would be refused by the page's CSP, which allows no eval.)
    await expect.poll(() => page.evaluate<string>("location.hash")).not.toBe(`#/runs/${runs.failed}`);
    const rerunId = decodeURIComponent((await page.evaluate<string>("location.hash")).slice("#/runs/".length));
    await expect(page.locator("dt", { hasText: "Rerun of" }).locator("xpath=following-sibling::dd[1]").innerText()).resolves.toBe(runs.failed);
    const rerun = (await stack.api(`/api/scoring-runs/${rerunId}`)).body;
    expect(rerun.rerunOf).toBe(runs.failed);
    expect((await stack.api(`/api/scoring-runs/${runs.failed}`)).body.reruns).toContain(rerunId);
    await page.locator(`[data-run-view="${rerunId}"]`).waitFor();
    await page.close();
  });

  it("shows a batch: counts by status, a progress bar, its children", async () => {
    const page = await openPage(`#/batches/${batchId}`);
    await page.locator("h1 .badge", { hasText: "Succeeded" }).waitFor({ timeout: 20_000 });
    await expect(page.locator("progress").evaluate((p) => [(p as any).value, (p as any).max])).resolves.toEqual([2, 2]);
    await expect(page.getByRole("table", { name: "Items by status" }).locator("tr", { hasText: "Succeeded" }).locator("td").innerText()).resolves.toBe("2");
    const children = page.getByRole("table", { name: "Children" }).locator("tbody tr");
    await expect(children.count()).resolves.toBe(2);
    await children.first().getByRole("link").click();
    await page.locator("dt", { hasText: "Batch" }).waitFor();
    await page.close();
  });

  it("works from the keyboard, and every control has a name", async () => {
    const page = await openPage();
    await page.locator(`tr[data-run-id="${runs.failed}"]`).waitFor();
    const unnamed = await page.locator("input, select, button, a[href]").evaluateAll((els) =>
      els
        .filter((el) => {
          const labelled = (el as { labels?: ArrayLike<unknown> | null }).labels;
          return !((labelled && labelled.length > 0) || el.getAttribute("aria-label") || (el.textContent ?? "").trim());
        })
        .map((el) => el.outerHTML),
    );
    expect(unnamed).toEqual([]);

    await page.keyboard.press("Tab");
    await expect(page.evaluate("document.activeElement.textContent")).resolves.toBe("Skip to content");
    await page.locator(`a[href="#/runs/${runs.failed}"]`).focus();
    await page.keyboard.press("Enter");
    const rerun = page.getByRole("button", { name: "Rerun" });
    await rerun.waitFor();
    await rerun.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Rerun this run?" });
    await expect(dialog.isVisible()).resolves.toBe(true);
    await expect(page.evaluate("document.activeElement.closest('dialog') !== null")).resolves.toBe(true);
    await page.keyboard.press("Escape");
    await expect(dialog.isVisible()).resolves.toBe(false);
    await page.close();
  });

  it("asks for a function key when the API wants one, and keeps it out of URLs, storage and the page", async () => {
    const key = `console-key-${randomUUID()}`;
    const page = await browser.newPage();
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    // The dev host, like `func start`, does not check keys: here the browser stands in for Azure's check.
    await page.route(/\/api\/scoring-(runs|batches)/, (route) =>
      route.request().headers()["x-functions-key"] === key ? route.continue() : route.fulfill({ status: 401, body: "" }),
    );
    await page.goto(`${base}/api/console`);
    const field = page.getByLabel("Function key", { exact: true });
    await field.fill(key);
    await page.getByRole("button", { name: "Use this key" }).click();
    await page.locator(`tr[data-run-id="${runs.succeeded}"]`).waitFor();
    await expect(field.count()).resolves.toBe(0);
    await expect(page.locator(".key-state").innerText()).resolves.toContain("Key in memory");

    expect(urls.filter((u) => u.includes(key))).toEqual([]);
    const stored = await page.evaluate<string>("JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href])");
    expect(stored).not.toContain(key);
    expect(await page.content()).not.toContain(key);
    expect(await page.context().cookies()).toEqual([]);

    await page.getByRole("button", { name: "Forget key" }).click();
    await page.getByRole("button", { name: "Refresh now" }).click();
    await page.getByLabel("Function key", { exact: true }).waitFor();
    await page.close();
  });
});

describe("the console's page", () => {
  it("answers with a strict Content-Security-Policy and no data, without a key", async () => {
    const res = await fetch(`${base}/api/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe");
    expect(await res.text()).not.toContain(runs.succeeded);
  });
});

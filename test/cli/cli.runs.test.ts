import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { useCliStack } from "./cliStack";
import { closedPort, runCli } from "./runCli";

/** A pass-through proxy in front of the dev host that records the x-functions-key of every request. */
async function recordingProxy(target: string) {
  const seen: Array<{ method: string; url: string; key: string | undefined }> = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", key: req.headers["x-functions-key"] as string | undefined });
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("scoring-run status, cancel, list, key and connection errors (child process against the dev host)", () => {
  const ctx = useCliStack();

  it("--help documents the commands, the env settings and the exit codes", async () => {
    const r = await runCli(["--help"], { env: ctx.env });
    expect(r.code).toBe(0);
    for (const text of ["start", "status", "cancel", "list", "SCORING_BASE_URL", "SCORING_FUNCTION_KEY", "Exit codes:", "64", "69", "130"]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("status of an unknown id: exit 1 with RunNotFound", async () => {
    const r = await runCli(["status", "no-such-run"], { env: ctx.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RunNotFound");
    const json = await runCli(["status", "no-such-run", "--json"], { env: ctx.env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe("RunNotFound");
  });

  it("status of a finished run prints the view (human and --json)", async () => {
    const done = await ctx.stack.api("/api/scoring-runs?wait=20", { json: ctx.stack.startBody() });
    expect(done.body.status).toBe("Succeeded");
    const r = await runCli(["status", done.body.id], { env: ctx.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^run:\\s+${done.body.id}$`, "m"));
    expect(r.stdout).toMatch(/^status:\s+Succeeded$/m);
    const json = await runCli(["--json", "status", done.body.id], { env: ctx.env });
    expect(JSON.parse(json.stdout)).toMatchObject({ id: done.body.id, status: "Succeeded", job: { status: "Completed" } });
  });

  it("rerun of a finished run: a new run naming its original, --wait follows it; a second rerun of a run still going exits 1", async () => {
    const done = await ctx.stack.api("/api/scoring-runs?wait=20", { json: ctx.stack.startBody() });
    expect(done.body.status).toBe("Succeeded");
    const r = await runCli(["--json", "rerun", done.body.id, "--wait"], { env: ctx.env });
    expect(r.code, r.stderr).toBe(0);
    const rerun = JSON.parse(r.stdout);
    expect(rerun).toMatchObject({ status: "Succeeded", rerunOf: done.body.id });
    expect(rerun.request.outputs.score.uri).toMatch(/\.rerun-1\.csv$/);
    ctx.stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const running = await ctx.stack.api("/api/scoring-runs", { json: ctx.stack.startBody() });
    const refused = await runCli(["rerun", running.body.id], { env: ctx.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("RunNotEnded");
    // End it here: its cancel must not land in the next test's requests.
    await ctx.stack.api(`/api/scoring-runs/${running.body.id}/cancel`, { method: "POST" });
    await ctx.stack.host.engine.runUntil(() => ["Completed", "Failed"].includes(ctx.stack.host.engine.get(running.body.id)?.runtimeStatus ?? ""));
  });

  it("Ctrl-C while waiting stops the wait, not the run; cancel then ends it Canceled; a second cancel exits 1", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    ctx.stack.host.engine.autoAdvance = false; // hold virtual time: the job stays queued
    const started = await ctx.stack.api("/api/scoring-runs", { json: ctx.stack.startBody({ timeoutSeconds: 3600 }) });
    const id: string = started.body.id;
    await ctx.stack.host.engine.idle();

    const waited = await runCli(["status", id, "--wait"], {
      onChild: (child) => child.stderr!.once("data", () => child.kill("SIGINT")), // the first progress line
      env: ctx.env,
    });
    expect(waited.code).toBe(130);
    expect(waited.stderr).toContain("NOT canceled");
    expect(waited.stderr).toContain(`scoring-run cancel ${id}`);
    expect((await ctx.stack.api(`/api/scoring-runs/${id}`)).body.status).toBe("Running");
    expect(ctx.stack.emulator.requestsFor("cancelJob")).toHaveLength(0);

    const cancel = await runCli(["cancel", id, "--reason", "cli test"], { env: ctx.env });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`cancel requested for run ${id}`);

    ctx.stack.host.engine.autoAdvance = true;
    const ended = await runCli(["status", id, "--wait"], { env: ctx.env });
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain("RunCanceled");
    expect(ctx.stack.emulator.requestsFor("cancelJob")).toHaveLength(1);

    const again = await runCli(["cancel", id], { env: ctx.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already ended");
  });

  it("cancel of an unknown run: exit 1 with RunNotFound", async () => {
    const r = await runCli(["cancel", "no-such-run"], { env: ctx.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RunNotFound");
  });

  it("list: newest first, --status, --top pages with a continuation hint, --json; bad filters exit 64", async () => {
    const ok = await ctx.stack.api("/api/scoring-runs?wait=20", { json: ctx.stack.startBody() });
    ctx.stack.emulator.enqueueLifecycle(lifecycles.failsWith("nope", 1));
    const failed = await ctx.stack.api("/api/scoring-runs?wait=20", { json: ctx.stack.startBody() });
    expect(failed.body.status).toBe("Failed");

    const table = await runCli(["list", "--top", "1"], { env: ctx.env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+PHASE\s+JOB\s+CREATED$/);
    expect(lines[1]).toMatch(new RegExp(`^${failed.body.id}\\s+Failed`));
    const token = /--continuation-token (\S+)/.exec(table.stdout)?.[1];
    expect(token).toBeDefined();

    const page2 = await runCli(["--json", "list", "--top", "1", "--continuation-token", token!], { env: ctx.env });
    expect(JSON.parse(page2.stdout).value[0].id).toBe(ok.body.id);

    const onlyFailed = await runCli(["list", "--status", "Failed", "--json"], { env: ctx.env });
    const views = JSON.parse(onlyFailed.stdout).value as Array<{ id: string; status: string }>;
    expect(views.map((v) => v.id)).toContain(failed.body.id);
    expect(views.every((v) => v.status === "Failed")).toBe(true);

    const bad = await runCli(["list", "--status", "Done", "--top", "0"], { env: ctx.env });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^ {2}status: /m);
    expect(bad.stderr).toMatch(/^ {2}top: /m);
  });

  it("the function key goes in x-functions-key on every request and is never printed", async () => {
    const proxy = await recordingProxy(ctx.stack.host.baseUrl);
    try {
      const key = "secret-key-123";
      const start = await runCli(
        [
          "--key",
          key,
          "start",
          "--endpoint",
          ctx.stack.emulator.scoringUri,
          "--input",
          "azureml://datastores/workspaceblobstore/paths/in/",
          "--poll-interval",
          "1",
          "--wait",
        ],
        { env: { SCORING_BASE_URL: proxy.url } },
      );
      expect(start.code, start.stderr).toBe(0);
      expect(proxy.seen.length).toBeGreaterThanOrEqual(2); // the POST and at least one look
      expect(proxy.seen.every((r) => r.key === key)).toBe(true);
      const failing = await runCli(["status", "no-such-run", "--json"], { env: { SCORING_BASE_URL: proxy.url, SCORING_FUNCTION_KEY: key } });
      expect(failing.code).toBe(1);
      expect(proxy.seen[proxy.seen.length - 1]!.key).toBe(key);
      const unreachable = await runCli(["--key", key, "--base-url", `http://127.0.0.1:${await closedPort()}`, "list"]);
      expect(unreachable.code).toBe(69);
      // Even text the API echoes back is masked: here the id it names in its 404 message is the key.
      const echoed = await runCli([`--key=${key}`, "status", key], { env: { SCORING_BASE_URL: proxy.url } });
      expect(echoed.code).toBe(1);
      expect(echoed.stderr).toContain("No scoring run with id '***'");
      for (const r of [start, failing, unreachable, echoed]) {
        expect(r.stdout).not.toContain(key);
        expect(r.stderr).not.toContain(key);
      }
    } finally {
      await proxy.close();
    }
  });

  it("an unreachable base URL: exit 69 with the hint, from the flag or SCORING_BASE_URL", async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(["--base-url", base, "status", "some-run"]);
    expect(r.code).toBe(69);
    expect(r.stderr).toContain(`cannot reach ${base}: is the app running? (npm run dev)`);
    const viaEnv = await runCli(["list"], { env: { SCORING_BASE_URL: base } });
    expect(viaEnv.code).toBe(69);
    expect(viaEnv.stderr).toContain(`cannot reach ${base}: is the app running? (npm run dev)`);
  });
});

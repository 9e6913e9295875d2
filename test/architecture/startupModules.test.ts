/**
 * Cold start: every Functions scale-out loads the app entry before its first call, so the Azure
 * SDKs the app needs only on first use (identity, storage, Event Grid, the ARM client, the REST pipeline) must not
 * load at registration. A fresh process loads the built entry and lists what it pulled in.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { appEntry, repoRoot } from "../../dev/stack";

describe("the app entry loads no Azure SDK it needs only on first use", () => {
  it("identity, storage, Event Grid, core-client and the REST pipeline stay unloaded until a call needs them", () => {
    const script = [
      `require(${JSON.stringify(path.join(repoRoot, "dist/dev/host/functionsCore.js"))}).installFunctionsCore();`,
      `require(${JSON.stringify(appEntry)});`,
      "const packages = () => [...new Set(Object.keys(require.cache).filter((k) => k.includes('node_modules')).map((k) => k.split('node_modules/').pop().split('/').slice(0, 2).join('/')))];",
      "const atStart = packages();",
      // The positive control: a package loaded after the entry is seen.
      "require('@azure/core-rest-pipeline');",
      "console.log(JSON.stringify({ atStart, after: packages() }));",
    ].join("\n");
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as { atStart: string[]; after: string[] };
    expect(loaded.after).toContain("@azure/core-rest-pipeline");
    for (const lazy of ["@azure/identity", "@azure/storage-blob", "@azure/eventgrid", "@azure/core-client", "@azure/core-rest-pipeline"])
      expect(loaded.atStart, lazy).not.toContain(lazy);
  });
});

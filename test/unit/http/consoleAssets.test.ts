import { describe, expect, it } from "vitest";
import { type ConsoleAssets, consoleAsset, consoleContentSecurityPolicy } from "../../../src/http/consoleAssets";

const page =
  '<!doctype html><html><head><script type="module" src="/api/console/index-AbCdEf12.js"></script></head><body data-read-only="false" data-settings-problem=""><div id="app"></div></body></html>';
const files: Record<string, string> = { "index.html": page, "index-AbCdEf12.js": "console.log(1)", "index-Zz09_-aa.css": "body{}", "icon.svg": "<svg/>" };

function assets(over: Record<string, string | undefined> = {}): ConsoleAssets & { asked: string[] } {
  const all = { ...files, ...over };
  const asked: string[] = [];
  return {
    asked,
    async read(name) {
      asked.push(name);
      const text = all[name];
      return text === undefined ? null : Buffer.from(text);
    },
  };
}
const writable = { readOnly: false, problem: null };
const text = (body: Uint8Array | string) => (typeof body === "string" ? body : Buffer.from(body).toString("utf8"));

describe("the console's files", () => {
  it("the page, for no file or an empty one, with a strict CSP and never cached", async () => {
    for (const file of [undefined, ""]) {
      const res = await consoleAsset(file, assets(), writable);
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": consoleContentSecurityPolicy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
      });
      expect(text(res.body)).toContain('data-read-only="false"');
    }
  });

  it("the CSP allows scripts and styles from the app only: no inline script, no eval, no framing", () => {
    expect(consoleContentSecurityPolicy).toContain("default-src 'none'");
    expect(consoleContentSecurityPolicy).toContain("script-src 'self'");
    expect(consoleContentSecurityPolicy).toContain("frame-ancestors 'none'");
    expect(consoleContentSecurityPolicy).not.toMatch(/unsafe|\*|data:/);
  });

  it("read-only mode and a settings problem are written into the page, the problem escaped", async () => {
    const res = await consoleAsset(undefined, assets(), { readOnly: true, problem: `bad "value" <b>` });
    expect(text(res.body)).toContain('data-read-only="true"');
    expect(text(res.body)).toContain('data-settings-problem="bad &quot;value&quot; &lt;b&gt;"');
  });

  it("a page without the settings markers is refused (it is not this build's)", async () => {
    await expect(consoleAsset(undefined, assets({ "index.html": "<html></html>" }), writable)).rejects.toThrow(/rebuild the console/);
  });

  it("built files with a content hash are cached for good, others revalidated", async () => {
    const js = await consoleAsset("index-AbCdEf12.js", assets(), writable);
    expect(js.headers).toMatchObject({ "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" });
    expect(text(js.body)).toBe("console.log(1)");
    expect((await consoleAsset("index-Zz09_-aa.css", assets(), writable)).headers["Content-Type"]).toBe("text/css; charset=utf-8");
    const icon = await consoleAsset("icon.svg", assets(), writable);
    expect(icon.headers).toMatchObject({ "Content-Type": "image/svg+xml", "Cache-Control": "no-cache" });
  });

  it.each(["../local.settings.json", "..", "a/b.js", "a\\b.js", ".env", "index.js.map", "x.json", "x", "%2e%2e%2fx.js", "x.js\u0000.html"])(
    "%j is a 404 and no file is read",
    async (name) => {
      const store = assets();
      const res = await consoleAsset(name, store, writable);
      expect(res.status).toBe(404);
      expect(res.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
      expect(store.asked).toEqual([]);
    },
  );

  it("a missing file is a 404; a missing page says the console is not built", async () => {
    expect((await consoleAsset("index-Nope1234.js", assets(), writable)).status).toBe(404);
    const res = await consoleAsset(undefined, assets({ "index.html": undefined }), writable);
    expect(res.status).toBe(404);
    expect(text(res.body)).toContain("npm run build");
  });
});

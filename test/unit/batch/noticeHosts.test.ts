import { describe, expect, it } from "vitest";
import { callbackRules, checkNoticeUrl, DEFAULT_CALLBACK_HOSTS, eventGridTopicRules, withoutQuery } from "../../../src/batch/noticeHosts";

const reason = (r: ReturnType<typeof checkNoticeUrl>) => (r.ok ? "ok" : r.reason);

describe("checkNoticeUrl", () => {
  const callbacks = callbackRules({ allowLoopback: false });

  it("defaults to Data Factory's domain; https with a query is fine for a callback", () => {
    expect(DEFAULT_CALLBACK_HOSTS).toEqual(["*.datafactory.azure.com"]);
    expect(reason(checkNoticeUrl("https://eastus.svc.datafactory.azure.com/workflow/callback/1?callbackUrl=x", callbacks))).toBe("ok");
  });

  it("refuses other hosts, naming the host and the setting but never the query", () => {
    const r = reason(checkNoticeUrl("https://evil.example.com/cb?token=secret", callbacks));
    expect(r).toMatch(/"evil\.example\.com".*not allowed.*\*\.datafactory\.azure\.com.*SCORING_CALLBACK_HOSTS/);
    expect(r).not.toContain("secret");
    expect(reason(checkNoticeUrl("https://datafactory.azure.com.evil.com/cb", callbacks))).toMatch(/not allowed/);
  });

  it("https only, no user information, no fragment, no whitespace, bounded", () => {
    expect(reason(checkNoticeUrl("http://a.datafactory.azure.com/cb", callbacks))).toMatch(/https/);
    expect(reason(checkNoticeUrl("ftp://a.datafactory.azure.com/cb", callbacks))).toMatch(/https/);
    expect(reason(checkNoticeUrl("https://u:p@a.datafactory.azure.com/cb", callbacks))).toMatch(/user information/);
    expect(reason(checkNoticeUrl("https://a.datafactory.azure.com/cb#x", callbacks))).toMatch(/fragment/);
    expect(reason(checkNoticeUrl("https://a.datafactory.azure.com/c b", callbacks))).toMatch(/whitespace/);
    expect(reason(checkNoticeUrl(`https://a.datafactory.azure.com/${"x".repeat(3000)}`, callbacks))).toMatch(/at most 2048/);
    expect(reason(checkNoticeUrl("/relative", callbacks))).toMatch(/absolute/);
  });

  it("loopback only with SCORING_ALLOW_LOOPBACK (then http is fine and no host list applies)", () => {
    expect(reason(checkNoticeUrl("http://127.0.0.1:1234/cb", callbacks))).toMatch(/SCORING_ALLOW_LOOPBACK/);
    expect(checkNoticeUrl("http://127.0.0.1:1234/cb", callbackRules({ allowLoopback: true }))).toMatchObject({ ok: true, loopback: true });
  });

  it("SCORING_CALLBACK_HOSTS replaces the default; an empty list allows nothing", () => {
    const own = callbackRules({ callbackHosts: ["hooks.contoso.com"], allowLoopback: false });
    expect(reason(checkNoticeUrl("https://hooks.contoso.com/x", own))).toBe("ok");
    expect(reason(checkNoticeUrl("https://a.datafactory.azure.com/x", own))).toMatch(/not allowed/);
    expect(reason(checkNoticeUrl("https://hooks.contoso.com/x", callbackRules({ callbackHosts: [], allowLoopback: false })))).toMatch(/patterns: none/);
  });

  it("Event Grid topics: *.eventgrid.azure.net, no query", () => {
    const topics = eventGridTopicRules({ allowLoopback: false });
    expect(reason(checkNoticeUrl("https://t.westus2-1.eventgrid.azure.net/api/events", topics))).toBe("ok");
    expect(reason(checkNoticeUrl("https://t.westus2-1.eventgrid.azure.net/api/events?sig=1", topics))).toMatch(/query/);
    expect(reason(checkNoticeUrl("https://a.datafactory.azure.com/api/events", topics))).toMatch(/eventgrid\.azure\.net/);
  });
});

describe("withoutQuery", () => {
  it("keeps origin and path, marks a dropped query", () => {
    expect(withoutQuery("https://h/p?code=1")).toBe("https://h/p?…");
    expect(withoutQuery("https://h/p")).toBe("https://h/p");
    expect(withoutQuery("nope")).toBe("(not a URL)");
  });
});

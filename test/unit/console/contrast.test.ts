/**
 * The console's colours, read from its style sheet: text on its background at least 4.5:1 (WCAG AA),
 * the timeline's bars and marks at least 3:1 against the white plot (WCAG non-text contrast).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const css = fs.readFileSync(path.resolve(__dirname, "../../../console/src/styles.css"), "utf8");
const vars = Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
const colour = (value: string) => value.replace(/var\(--([a-z-]+)\)/, (_, name: string) => vars[name] ?? name).trim();

/** Each rule's selectors and declarations. */
const rules = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].map((m) => ({
  selectors: m[1]!.split(",").map((s) => s.trim()),
  decl: Object.fromEntries([...m[2]!.matchAll(/([a-z-]+):\s*([^;]+);/g)].map((d) => [d[1]!, colour(d[2]!)])),
}));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const ratio = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

describe("the console's colours", () => {
  it("every rule that sets both a text colour and a background meets 4.5:1", () => {
    const pairs = rules.filter((r) => /^#/.test(r.decl.color ?? "") && /^#/.test(r.decl.background ?? ""));
    expect(pairs.length).toBeGreaterThanOrEqual(8);
    for (const r of pairs) expect(ratio(r.decl.color!, r.decl.background!), r.selectors.join(", ")).toBeGreaterThanOrEqual(4.5);
  });

  it("body text, muted text and links meet 4.5:1 on white and on panels", () => {
    for (const fg of ["text", "muted", "link", "danger"]) {
      for (const bg of ["bg", "panel"]) expect(ratio(vars[fg]!, vars[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("the timeline's bars and marks stand out 3:1 from the white plot", () => {
    const fills = rules.filter((r) => r.selectors.some((s) => /^\.(bar|mark)-/.test(s)) && r.decl.fill);
    expect(fills.length).toBeGreaterThanOrEqual(8);
    for (const r of fills) expect(ratio(r.decl.fill!, "#ffffff"), r.selectors.join(", ")).toBeGreaterThanOrEqual(3);
  });
});

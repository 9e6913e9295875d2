/**
 * Comments in the code point at the repository's own docs (docs/<page>.md#<section>), never at
 * pages outside it: every such pointer must land on a heading that exists.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function codeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? codeFiles(full) : /\.(ts|mts)$/.test(e.name) ? [full] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsIn(page: string): Set<string> {
  const text = fs.readFileSync(path.join(root, page), "utf8");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1] ?? "")));
}

describe("pointers from the code into docs/", () => {
  const pointers = ["src", "dev"].flatMap((dir) =>
    codeFiles(path.join(root, dir)).flatMap((file) =>
      [...fs.readFileSync(file, "utf8").matchAll(/docs\/([\w-]+\.md)#([\w-]+)/g)].map((m) => ({
        file: path.relative(root, file),
        page: `docs/${m[1]}`,
        anchor: m[2] ?? "",
      })),
    ),
  );

  it("are there to check", () => {
    expect(pointers.length).toBeGreaterThan(10);
  });

  it("each lands on a heading of its page", () => {
    const missing = pointers
      .filter((p) => !fs.existsSync(path.join(root, p.page)) || !anchorsIn(p.page).has(p.anchor))
      .map((p) => `${p.file}: ${p.page}#${p.anchor}`);
    expect(missing).toEqual([]);
  });

  it("the anchor rule matches GitHub's for the headings used", () => {
    expect(anchorOf("createdTime and continueAsNew")).toBe("createdtime-and-continueasnew");
    expect(anchorOf("`?wait=` and `failOnError`")).toBe("wait-and-failonerror");
  });
});

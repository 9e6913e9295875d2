/**
 * Reading infra/ for the infrastructure tests. The Bicep CLI cannot be installed here, so the
 * tests read the Bicep text: with the parser in test/infra/bicep/ where structure matters, and
 * with a few regular expressions relying on the conventions the files follow: a role definition
 * id is a `var` holding a GUID literal with the role's name in a trailing comment; app settings
 * are `var <something>Settings = { NAME: value ... }` blocks.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
export const infraDir = path.join(repoRoot, "infra");

export function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, ext);
    return e.name.endsWith(ext) ? [full] : [];
  });
}

export const bicepFiles = (): string[] => filesUnder(infraDir, ".bicep");
export const read = (file: string): string => fs.readFileSync(file, "utf8");
export const rel = (file: string): string => path.relative(repoRoot, file);

export const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export interface GuidUse {
  file: string;
  line: number;
  guid: string;
  /** The `// comment` on the same line, or null. */
  comment: string | null;
  /** The `var` the GUID is assigned to, or null when the line is not `var x = '<guid>'`. */
  varName: string | null;
}

/** Every GUID literal in the Bicep files, with the comment and variable next to it. */
export function guidUses(): GuidUse[] {
  return bicepFiles().flatMap((file) =>
    read(file)
      .split("\n")
      .flatMap((text, i) =>
        [...text.matchAll(guidPattern)].map((m) => {
          const comment = /\/\/\s*(.+?)\s*$/.exec(text);
          const varDecl = /^\s*var\s+(\w+)\s*=\s*'[0-9a-f-]+'/i.exec(text);
          return { file, line: i + 1, guid: m[0].toLowerCase(), comment: comment ? comment[1] : null, varName: varDecl ? varDecl[1] : null };
        }),
      ),
  );
}

/** The text of `var <name> = ...`: up to the next line that starts with a closing brace (multi-line objects), else that one line. */
export function varBody(source: string, name: string): string | null {
  const lines = source.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^\\s*var\\s+${name}\\s*=`).test(l));
  if (start < 0) return null;
  if (!lines[start].trimEnd().endsWith("{")) return lines[start];
  const end = lines.findIndex((l, i) => i > start && l.startsWith("}"));
  return lines.slice(start, end + 1).join("\n");
}

/** Object keys (`KEY: value`) in a piece of Bicep. */
export function objectKeys(bicep: string): string[] {
  return [...bicep.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((m) => m[1]);
}

/**
 * App settings the template sets: the keys of every `var ...Settings = {` block that is passed to
 * a `union(...)`, in any Bicep file, with the file it is in.
 */
export function bicepAppSettings(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of bicepFiles()) {
    const source = read(file);
    for (const m of source.matchAll(/^var\s+(\w+Settings)\s*=/gm)) {
      const name = m[1];
      if (!new RegExp(`union\\([^)]*\\b${name}\\b`).test(source)) continue;
      for (const key of objectKeys(varBody(source, name) ?? "").filter((k) => k !== "var")) found.set(key, rel(file));
    }
  }
  return found;
}

export interface SettingsRow {
  name: string;
  setBy: string;
  optional: boolean;
  cells: string[];
}

/**
 * The settings table of infra/README.md: the Markdown table whose header starts with
 * `| Setting | Set by | Optional |`. One setting per row, its name in backticks in the first cell.
 */
export function readmeSettingsTable(): SettingsRow[] {
  const lines = read(path.join(infraDir, "README.md")).split("\n");
  const header = lines.findIndex((l) => /^\|\s*Setting\s*\|\s*Set by\s*\|\s*Optional\s*\|/i.test(l));
  if (header < 0) throw new Error("infra/README.md has no `| Setting | Set by | Optional |` table");
  const rows: SettingsRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[0]);
    if (!name) throw new Error(`settings table row without a single \`NAME\` in its first cell: ${line}`);
    rows.push({ name: name[1], setBy: cells[1], optional: /^yes\b/i.test(cells[2]), cells });
  }
  return rows;
}

/**
 * Settings the app reads: names in src/config/ (property reads on the env object, names passed
 * to intSetting, string literals that look like setting names) plus any `process.env.X` /
 * `process.env["X"]` anywhere in src/.
 */
export function settingsReadByApp(): Map<string, string> {
  const found = new Map<string, string>();
  const srcDir = path.join(repoRoot, "src");
  const configFile = path.join(srcDir, "config", "index.ts");
  const config = read(configFile);
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]*[A-Z0-9])\b/g, // env.SCORING_POLL_MODE
    /\benv\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]/g, // env["X"]
    /Setting\(\s*env\s*,\s*["']([A-Z][A-Z0-9_]*)["']/g, // intSetting(env, "X", ...)
    /["']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["']/g, // "AML_WORKSPACE_ID" (a whole string literal)
  ];
  for (const re of patterns) for (const m of config.matchAll(re)) found.set(m[1], rel(configFile));
  for (const file of filesUnder(srcDir, ".ts")) {
    for (const m of read(file).matchAll(/process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])/g)) {
      found.set(m[1] ?? m[2], rel(file));
    }
  }
  return found;
}

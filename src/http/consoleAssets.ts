/**
 * GET /api/console[/<file>]: the runs console's page and its built assets (docs/console.md). They
 * hold no data and no key, so the route is anonymous; every run is read through the API, with
 * the operator's key. Each answer carries a strict Content-Security-Policy: scripts and styles
 * from this origin only, no inline script, no framing.
 */
import type { ConsoleSettings } from "../config";

/** Where the built files come from (dist/console next to the app); null for a file that is not there. */
export interface ConsoleAssets {
  read(name: string): Promise<Uint8Array | null>;
}

export interface AssetResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export const consoleIndexFile = "index.html";

/** The page's mode, as built; the route sets it for this app's settings. */
export const readOnlyPlaceholder = 'data-read-only="false"';
export const problemPlaceholder = 'data-settings-problem=""';

export const consoleContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders: Record<string, string> = {
  "Content-Security-Policy": consoleContentSecurityPolicy,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** One path segment: no folder, no `..`, no hidden file; the build writes nothing else. */
const assetName = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.([a-z0-9]+)$/;
/** Vite names built files `<name>-<content hash>.<ext>`: such a file never changes. */
const hashedName = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export async function consoleAsset(file: string | undefined, assets: ConsoleAssets, settings: ConsoleSettings): Promise<AssetResponse> {
  const name = file === undefined || file === "" ? consoleIndexFile : file;
  const type = contentTypes[assetName.exec(name)?.[1] ?? ""];
  if (!type) return notFound(name);
  const content = await assets.read(name);
  if (content === null) {
    return name === consoleIndexFile
      ? plain(404, "The console is not built next to the app (dist/console): run npm run build, and deploy dist/console with dist/app.")
      : notFound(name);
  }
  if (name === consoleIndexFile) {
    return { status: 200, headers: { ...securityHeaders, "Content-Type": type, "Cache-Control": "no-store" }, body: withSettings(content, settings) };
  }
  const cache = hashedName.test(name) ? "public, max-age=31536000, immutable" : "no-cache";
  return { status: 200, headers: { ...securityHeaders, "Content-Type": type, "Cache-Control": cache }, body: content };
}

/** The page as built, told whether to show actions; a page without the markers is not this build's. */
function withSettings(page: Uint8Array, settings: ConsoleSettings): string {
  const html = Buffer.from(page).toString("utf8");
  if (!html.includes(readOnlyPlaceholder) || !html.includes(problemPlaceholder)) {
    throw new Error("dist/console/index.html lacks the settings markers: rebuild the console (npm run build).");
  }
  return html
    .replace(readOnlyPlaceholder, `data-read-only="${settings.readOnly ? "true" : "false"}"`)
    .replace(problemPlaceholder, `data-settings-problem="${escapeAttribute(settings.problem ?? "")}"`);
}

export function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
}

function notFound(name: string): AssetResponse {
  return plain(404, `The console has no file named ${JSON.stringify(name.slice(0, 100))}.`);
}

function plain(status: number, text: string): AssetResponse {
  return { status, headers: { ...securityHeaders, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }, body: text };
}

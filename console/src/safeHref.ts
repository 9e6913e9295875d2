/**
 * A link the console may render: http(s) only, no user name or password. A run's Studio link or
 * blob URL comes from Azure ML and storage: a `javascript:` or `data:` URL there must never become
 * a clickable link (the CSP would block its script too; this keeps it from being a link at all).
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (parsed.username !== "" || parsed.password !== "") return null;
  return parsed.href;
}

/** An outside link (Studio, a blob), only when it is an http(s) URL; otherwise its text. */
import { safeHref } from "../safeHref";

export function OutsideLink({ url, children }: { url: string | null | undefined; children?: preact.ComponentChildren }) {
  const href = safeHref(url);
  if (!href) return <span>{url ?? "–"}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children ?? url}
    </a>
  );
}

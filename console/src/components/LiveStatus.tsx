/** When the data was read and when it is read next: polite to screen readers, never a flood. */
import { useEffect, useState } from "preact/hooks";
import { formatTime } from "../format";

export function LiveStatus({ readAt, nextAt, onRefresh }: { readAt: number | null; nextAt: number | null; onRefresh(): void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  const next = nextAt === null ? null : Math.max(0, Math.round((nextAt - now) / 1000));
  return (
    <p class="live-status">
      <span>
        {readAt === null ? "Reading…" : `Read at ${formatTime(new Date(readAt).toISOString())}`}
        {next !== null ? `; next read in ${next} s` : readAt !== null ? "; not refreshing (nothing left to change)" : ""}
      </span>{" "}
      <button type="button" class="button small" onClick={onRefresh}>
        Refresh now
      </button>
    </p>
  );
}

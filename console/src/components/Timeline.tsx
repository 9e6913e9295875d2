/**
 * The run's timeline drawn in SVG: one row per phase (bars), a row of poll ticks, a row of event
 * marks. Each shape has a <title> (its tooltip); the same facts are in the tables after it, for
 * keyboards and screen readers. No chart library: a few rectangles and lines.
 */
import { formatDuration, formatTime } from "../format";
import { phaseLabels, phaseNames, type TimelineModel } from "../timelineModel";

const width = 960;
const labelWidth = 110;
const rowHeight = 24;
const plotWidth = width - labelWidth - 16;
const iso = (ms: number) => new Date(ms).toISOString();

const markClass = (event: string, byEvent: boolean): string => {
  if (byEvent) return "mark mark-event";
  if (event === "failed" || event === "statusReadFailed" || event === "cancelFailed") return "mark mark-bad";
  if (event === "succeeded") return "mark mark-good";
  if (event.startsWith("cancel") || event === "canceled") return "mark mark-cancel";
  return "mark";
};

export function Timeline({ model }: { model: TimelineModel }) {
  const span = Math.max(1, model.end - model.start);
  const x = (ms: number) => labelWidth + ((Math.min(Math.max(ms, model.start), model.end) - model.start) / span) * plotWidth;
  const rows = [...phaseNames.map((p) => phaseLabels[p]), "Polls", "Events"];
  const top = 22;
  const height = top + rows.length * rowHeight + 8;
  const pollsY = top + phaseNames.length * rowHeight;
  const eventsY = pollsY + rowHeight;
  const summary = `Timeline from ${formatTime(iso(model.start))} to ${formatTime(iso(model.end))}: ${model.bars.length} phase bar(s), ${model.polls.length} poll(s), ${model.marks.length} event(s).`;

  return (
    <svg class="timeline" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} data-polls={model.polls.length} data-bars={model.bars.length}>
      <text class="axis" x={labelWidth} y={14}>
        {formatTime(iso(model.start))}
      </text>
      <text class="axis" x={width - 16} y={14} text-anchor="end">
        {formatTime(iso(model.end))} ({formatDuration(model.end - model.start)})
      </text>
      {rows.map((label, i) => (
        <g key={label}>
          <line class="row-line" x1={labelWidth} x2={width - 16} y1={top + i * rowHeight + rowHeight / 2} y2={top + i * rowHeight + rowHeight / 2} />
          <text class="row-label" x={labelWidth - 8} y={top + i * rowHeight + rowHeight / 2 + 4} text-anchor="end">
            {label}
          </text>
        </g>
      ))}
      {model.bars.map((bar) => {
        const row = phaseNames.indexOf(bar.phase);
        const left = x(bar.from);
        return (
          <rect
            key={`${bar.phase}-${bar.from}`}
            class={`bar bar-${bar.phase}${bar.open ? " bar-open" : ""}`}
            data-phase={bar.phase}
            x={left}
            y={top + row * rowHeight + 4}
            width={Math.max(3, x(bar.to) - left)}
            height={rowHeight - 8}
            rx={3}
          >
            <title>{`${phaseLabels[bar.phase]}: ${formatTime(iso(bar.from))} → ${bar.open ? "now" : formatTime(iso(bar.to))} (${formatDuration(bar.to - bar.from)})`}</title>
          </rect>
        );
      })}
      {model.polls.map((at, i) => (
        <line key={`poll-${i}`} class="tick" data-poll={i} x1={x(at)} x2={x(at)} y1={pollsY + 5} y2={pollsY + rowHeight - 5}>
          <title>{`Status poll at ${formatTime(iso(at))}`}</title>
        </line>
      ))}
      {model.marks.map((mark, i) => (
        <circle key={`mark-${i}`} class={markClass(mark.event, mark.byEvent)} cx={x(mark.at)} cy={eventsY + rowHeight / 2} r={5}>
          <title>{`${mark.event} at ${formatTime(iso(mark.at))}${mark.detail ? `: ${mark.detail}` : ""}`}</title>
        </circle>
      ))}
    </svg>
  );
}

import { heatLegend, heatStep } from '../../lib/charts';

const W = 360;
const LEFT = 40;
const TOP = 18;

/** Weekday × hour counts as coloured cells (darker: more), each cell's count in its <title>. */
export function HeatMap({ label, weekdays, hours, counts }: { label: string; weekdays: string[]; hours: number[]; counts: number[][] }) {
  const max = Math.max(0, ...counts.flatMap((row) => hours.map((h) => row[h] ?? 0)));
  const cellW = (W - LEFT - 4) / Math.max(1, hours.length);
  const cellH = 22;
  const H = TOP + weekdays.length * cellH + 4;
  const every = Math.max(1, Math.ceil(hours.length / 8));
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={label}>
        {hours.map((h, i) =>
          i % every === 0 ? (
            <text key={h} x={LEFT + i * cellW + cellW / 2} y={12} textAnchor="middle" className="tick">
              {String(h).padStart(2, '0')}
            </text>
          ) : null,
        )}
        {weekdays.map((d, wd) => (
          <g key={d} transform={`translate(0,${TOP + wd * cellH})`}>
            <text x={LEFT - 4} y={cellH / 2} dy="0.32em" textAnchor="end" className="tick">
              {d}
            </text>
            {hours.map((h, i) => {
              const n = counts[wd]?.[h] ?? 0;
              return (
                <rect key={h} x={LEFT + i * cellW + 1} y={1} width={cellW - 2} height={cellH - 2} className={`heat-${heatStep(n, max)}`}>
                  <title>{`${d} ${String(h).padStart(2, '0')}:00: ${n}`}</title>
                </rect>
              );
            })}
          </g>
        ))}
      </svg>
      <ul className="chart-legend heat-legend" aria-label="Colour scale">
        <li>
          <span className="swatch heat-0" aria-hidden="true" />0
        </li>
        {heatLegend(max).map((s) => (
          <li key={s.step}>
            <span className={`swatch heat-${s.step}`} aria-hidden="true" />
            {s.from === s.to ? s.from : `${s.from}–${s.to}`}
          </li>
        ))}
      </ul>
    </>
  );
}

import { linearScale } from '../../lib/charts';
import { SeriesPatterns, seriesFill } from './Figure';

export interface BarRow {
  label: string;
  value: number;
  /** The value as the bar's label says it ("9.3%", "3"). */
  text: string;
}

const W = 360;
const ROW = 30;
const LABEL_W = 120;
const VALUE_W = 56;

/** Horizontal bars, one per row, each labelled with its name and its value in words. */
export function BarList({ id, label, rows, max }: { id: string; label: string; rows: BarRow[]; max: number }) {
  const barW = W - LABEL_W - VALUE_W;
  const x = linearScale(max, barW);
  const H = rows.length * ROW + 8;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={label}>
      <SeriesPatterns prefix={id} />
      {rows.map((r, i) => {
        const yy = 4 + i * ROW;
        return (
          <g key={r.label} transform={`translate(0,${yy})`}>
            <text x={LABEL_W - 6} y={ROW / 2} dy="0.32em" textAnchor="end" className="tick">
              {r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label}
            </text>
            <rect x={LABEL_W} y={4} width={barW} height={ROW - 8} className="track" />
            <rect x={LABEL_W} y={4} width={x(r.value)} height={ROW - 8} {...seriesFill(id, i % 2)}>
              <title>{`${r.label}: ${r.text}`}</title>
            </rect>
            <text x={LABEL_W + barW + 4} y={ROW / 2} dy="0.32em" className="tick value">
              {r.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

import { bands, groupBars, linearScale, maxOf, stack, ticks } from '../../lib/charts';
import { Legend, SeriesPatterns, seriesFill } from './Figure';

export interface ColumnSeries {
  label: string;
  values: number[];
}

const W = 360;
const H = 220;
const M = { top: 10, right: 8, bottom: 34, left: 70 };

/**
 * Vertical bars by day: several series grouped side by side, or stacked. Values are in the
 * series' own units; `format` writes an axis tick and a bar's <title>.
 */
export function ColumnChart({
  id,
  label,
  categories,
  series,
  mode = 'grouped',
  format = (v: number) => String(v),
  integer = false,
}: {
  id: string;
  label: string;
  categories: string[];
  series: ColumnSeries[];
  mode?: 'grouped' | 'stacked';
  format?: (v: number) => string;
  integer?: boolean;
}) {
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const totals = categories.map((_, i) => (mode === 'stacked' ? stack(series.map((s) => s.values[i] ?? 0)).at(-1)?.y1 ?? 0 : maxOf(series.map((s) => s.values[i] ?? 0))));
  const axis = ticks(maxOf(totals), 4, integer);
  const top = axis[axis.length - 1] ?? 1;
  const y = linearScale(top, innerH);
  const band = bands(categories.length, innerW, categories.length > 20 ? 0.1 : 0.25);
  const every = Math.max(1, Math.ceil(categories.length / 6));
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={label}>
        <SeriesPatterns prefix={id} />
        <g transform={`translate(${M.left},${M.top})`}>
          {axis.map((t) => (
            <g key={t} transform={`translate(0,${innerH - y(t)})`}>
              <line x2={innerW} className="grid" />
              <text x={-4} dy="0.32em" textAnchor="end" className="tick">
                {format(t)}
              </text>
            </g>
          ))}
          {band.map((b, i) => {
            const cat = categories[i]!;
            if (mode === 'stacked') {
              return (
                <g key={cat}>
                  {stack(series.map((s) => s.values[i] ?? 0)).map((seg) =>
                    seg.value > 0 ? (
                      <rect key={seg.series} x={b.start} width={b.width} y={innerH - y(seg.y1)} height={y(seg.y1) - y(seg.y0)} {...seriesFill(id, seg.series)}>
                        <title>{`${cat}: ${series[seg.series]!.label} ${format(seg.value)}`}</title>
                      </rect>
                    ) : null,
                  )}
                </g>
              );
            }
            return (
              <g key={cat}>
                {groupBars(b, series.length).map((g, s) => {
                  const v = Math.max(0, series[s]!.values[i] ?? 0);
                  return v > 0 ? (
                    <rect key={s} x={g.x} width={g.width} y={innerH - y(v)} height={y(v)} {...seriesFill(id, s)}>
                      <title>{`${cat}: ${series[s]!.label} ${format(v)}`}</title>
                    </rect>
                  ) : null;
                })}
              </g>
            );
          })}
          <line y1={innerH} y2={innerH} x2={innerW} className="axis" />
          {band.map((b, i) =>
            i % every === 0 ? (
              <text key={categories[i]} x={b.centre} y={innerH + 16} textAnchor="middle" className="tick">
                {categories[i]}
              </text>
            ) : null,
          )}
        </g>
      </svg>
      <Legend prefix={`${id}-legend`} labels={series.map((s) => s.label)} />
    </>
  );
}

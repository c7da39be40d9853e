import type { ReactNode } from 'react';

export interface TableSpec {
  caption: string;
  /** Column headings; the first is the row heading's column. */
  columns: string[];
  /** Each row: its heading, then one cell per remaining column (the numbers as the chart draws them). */
  rows: { head: string; cells: string[] }[];
}

/** A chart with its caption and, behind "Data", the table of exactly what it draws. */
export function ChartFigure({ id, title, children, table, note }: { id: string; title: string; children: ReactNode; table: TableSpec; note?: string }) {
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {children}
      {note ? <p className="chart-note">{note}</p> : null}
      <details className="chart-data">
        <summary>Data</summary>
        <DataTable id={id} table={table} />
      </details>
    </figure>
  );
}

export function DataTable({ id, table }: { id: string; table: TableSpec }) {
  return (
    <div className="table-scroll">
      <table id={id}>
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr key={r.head}>
              <th scope="row">{r.head}</th>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Fills for up to four series: a colour and, so colour is not the only cue, a pattern. */
export const SERIES_FILLS = ['solid', 'hatch', 'dots', 'cross'] as const;

export function SeriesPatterns({ prefix }: { prefix: string }) {
  return (
    <defs>
      <pattern id={`${prefix}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" className="series-1" />
        <line x1="0" y1="0" x2="0" y2="6" className="pattern-line" strokeWidth="2" />
      </pattern>
      <pattern id={`${prefix}-dots`} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" className="series-2" />
        <circle cx="3" cy="3" r="1.4" className="pattern-dot" />
      </pattern>
      <pattern id={`${prefix}-cross`} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" className="series-3" />
        <path d="M0 3H6M3 0V6" className="pattern-line" strokeWidth="1" />
      </pattern>
    </defs>
  );
}

/**
 * The fill of series `i`: a class for the solid first series, a pattern for the others (the
 * pattern carries the series' colour; no class here, since a stylesheet's fill would hide it).
 */
export function seriesFill(prefix: string, i: number): { className: string; fill?: string } {
  const kind = SERIES_FILLS[i % SERIES_FILLS.length]!;
  return kind === 'solid' ? { className: 'series-0' } : { className: `patterned series-${i}-pattern`, fill: `url(#${prefix}-${kind})` };
}

export function Legend({ prefix, labels }: { prefix: string; labels: string[] }) {
  return (
    <ul className="chart-legend">
      {labels.map((l, i) => {
        const f = seriesFill(prefix, i);
        return (
          <li key={l}>
            <svg width="14" height="14" aria-hidden="true" focusable="false">
              {i === 0 ? null : <SeriesPatterns prefix={`${prefix}-lg${i}`} />}
              <rect width="14" height="14" className={f.className} fill={i === 0 ? undefined : `url(#${prefix}-lg${i}-${SERIES_FILLS[i % SERIES_FILLS.length]})`} stroke="#5a5a5a" />
            </svg>
            {l}
          </li>
        );
      })}
    </ul>
  );
}

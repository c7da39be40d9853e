/**
 * The geometry of the dashboard's charts: scales, ticks, bar positions and colour steps. Pure
 * functions of numbers, so the SVG components only place what these compute.
 */

/** The smallest "nice" number (1, 2, 2.5, 5 × 10^n) at or above `value`; 1 for nothing to show. */
export function niceCeiling(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    if (candidate >= value - 1e-9) return candidate;
  }
  return 10 * power;
}

/** Evenly spaced ticks from 0 to a nice ceiling of `max` (about `count` intervals), integers when `integer`. */
export function ticks(max: number, count = 4, integer = false): number[] {
  const top = niceCeiling(max);
  let step = niceCeiling(top / Math.max(1, count));
  if (integer) step = Math.max(1, Math.ceil(step));
  const out: number[] = [];
  for (let v = 0; v <= top + step / 2 && out.length <= 20; v += step) out.push(Math.round(v * 1e6) / 1e6);
  if (out[out.length - 1]! < max) out.push(Math.round((out[out.length - 1]! + step) * 1e6) / 1e6);
  return out;
}

/** A linear map from [0, domainMax] onto [0, length]; a non-positive domain maps everything to 0. */
export function linearScale(domainMax: number, length: number): (value: number) => number {
  if (!(domainMax > 0)) return () => 0;
  return (value) => (Math.max(0, Math.min(value, domainMax)) / domainMax) * length;
}

export interface Band {
  /** Left edge of the band's bar(s). */
  start: number;
  /** Width available to the bar(s). */
  width: number;
  /** Centre of the band (for its label). */
  centre: number;
}

/** `n` equal bands across `length`, each leaving `padding` (0–1) of itself empty. */
export function bands(n: number, length: number, padding = 0.2): Band[] {
  if (n <= 0 || length <= 0) return [];
  const step = length / n;
  const width = step * (1 - Math.max(0, Math.min(padding, 0.9)));
  return Array.from({ length: n }, (_, i) => {
    const start = i * step + (step - width) / 2;
    return { start, width, centre: start + width / 2 };
  });
}

export interface Segment {
  series: number;
  value: number;
  /** From the baseline, in value units: the segment covers [y0, y1]. */
  y0: number;
  y1: number;
}

/** One stacked bar: each series on top of the ones before; negative or missing values take no room. */
export function stack(values: readonly number[]): Segment[] {
  let y = 0;
  return values.map((raw, series) => {
    const value = Number.isFinite(raw) && raw > 0 ? raw : 0;
    const seg = { series, value, y0: y, y1: y + value };
    y += value;
    return seg;
  });
}

/** Side-by-side bars inside a band: the left edge and width of each of `n` series. */
export function groupBars(band: Band, n: number, gap = 1): { x: number; width: number }[] {
  if (n <= 0) return [];
  const width = Math.max(0.5, (band.width - gap * (n - 1)) / n);
  return Array.from({ length: n }, (_, i) => ({ x: band.start + i * (width + gap), width }));
}

/** The largest of every value (0 when there are none, never negative). */
export function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
}

/** The colour step (0 = none, 1..steps) a count falls in on a scale up to `max`. */
export function heatStep(value: number, max: number, steps = 4): number {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.min(steps, Math.max(1, Math.ceil((value / max) * steps)));
}

/** The lower and upper count of each colour step, for the legend: [[1, 1], [2, 2], …]. */
export function heatLegend(max: number, steps = 4): { step: number; from: number; to: number }[] {
  if (!(max > 0)) return [];
  const out: { step: number; from: number; to: number }[] = [];
  for (let s = 1; s <= steps; s++) {
    const from = Math.floor(((s - 1) / steps) * max) + 1;
    const to = Math.floor((s / steps) * max);
    if (to >= from) out.push({ step: s, from, to });
  }
  return out;
}

/** 0.0926 → "9.3%"; null → "—" (no denominator, not zero). */
export function percentText(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}

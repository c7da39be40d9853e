import { describe, expect, it } from 'vitest';
import { bands, groupBars, heatLegend, heatStep, linearScale, maxOf, niceCeiling, percentText, stack, ticks } from './charts';

describe('chart geometry', () => {
  it('rounds a maximum up to a nice number, and nothing up to 1', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(-5)).toBe(1);
    expect(niceCeiling(Number.NaN)).toBe(1);
    expect(niceCeiling(1)).toBe(1);
    expect(niceCeiling(3)).toBe(5);
    expect(niceCeiling(11)).toBe(20);
    expect(niceCeiling(22)).toBe(25);
    expect(niceCeiling(5000)).toBe(5000);
    expect(niceCeiling(5001)).toBe(10000);
  });

  it('ticks from 0 past the maximum, integers for counts, one tick pair for empty data', () => {
    expect(ticks(5000, 4)).toEqual([0, 2000, 4000, 6000]);
    expect(ticks(3, 4, true)).toEqual([0, 2, 4, 6]);
    expect(ticks(0, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(ticks(0, 4, true)).toEqual([0, 1]);
    const t = ticks(7, 4, true);
    expect(t[0]).toBe(0);
    expect(t.at(-1)!).toBeGreaterThanOrEqual(7);
  });

  it('scales linearly, clamps outside the domain, and maps an empty domain to 0', () => {
    const y = linearScale(200, 100);
    expect(y(0)).toBe(0);
    expect(y(50)).toBe(25);
    expect(y(200)).toBe(100);
    expect(y(400)).toBe(100);
    expect(y(-10)).toBe(0);
    expect(linearScale(0, 100)(5)).toBe(0);
  });

  it('splits the width into equal padded bands; one day takes one centred band; none takes none', () => {
    expect(bands(0, 300)).toEqual([]);
    expect(bands(1, 100, 0.2)).toEqual([{ start: 10, width: 80, centre: 50 }]);
    const b = bands(4, 400, 0.5);
    expect(b.map((x) => x.start)).toEqual([25, 125, 225, 325]);
    expect(b.every((x) => x.width === 50)).toBe(true);
  });

  it('groups series side by side inside a band', () => {
    expect(groupBars({ start: 10, width: 32, centre: 26 }, 3, 1)).toEqual([
      { x: 10, width: 10 },
      { x: 21, width: 10 },
      { x: 32, width: 10 },
    ]);
    expect(groupBars({ start: 0, width: 10, centre: 5 }, 0)).toEqual([]);
  });

  it('stacks without negatives: a negative or missing value takes no room', () => {
    expect(stack([3, 2])).toEqual([
      { series: 0, value: 3, y0: 0, y1: 3 },
      { series: 1, value: 2, y0: 3, y1: 5 },
    ]);
    expect(stack([4, -2, Number.NaN, 1])).toEqual([
      { series: 0, value: 4, y0: 0, y1: 4 },
      { series: 1, value: 0, y0: 4, y1: 4 },
      { series: 2, value: 0, y0: 4, y1: 4 },
      { series: 3, value: 1, y0: 4, y1: 5 },
    ]);
    expect(stack([])).toEqual([]);
    expect(maxOf([])).toBe(0);
    expect(maxOf([-3, 2, 7, Number.NaN])).toBe(7);
  });

  it('puts counts into colour steps with a legend that covers 1..max', () => {
    expect(heatStep(0, 8)).toBe(0);
    expect(heatStep(1, 8)).toBe(1);
    expect(heatStep(2, 8)).toBe(1);
    expect(heatStep(3, 8)).toBe(2);
    expect(heatStep(8, 8)).toBe(4);
    expect(heatStep(5, 0)).toBe(0);
    expect(heatLegend(8)).toEqual([
      { step: 1, from: 1, to: 2 },
      { step: 2, from: 3, to: 4 },
      { step: 3, from: 5, to: 6 },
      { step: 4, from: 7, to: 8 },
    ]);
    // Fewer counts than steps: only the steps a count can fall in.
    expect(heatLegend(2)).toEqual([
      { step: 2, from: 1, to: 1 },
      { step: 4, from: 2, to: 2 },
    ]);
    expect(heatLegend(2).map((s) => s.step)).toEqual([heatStep(1, 2), heatStep(2, 2)]);
    expect(heatLegend(0)).toEqual([]);
  });

  it('writes shares as percentages with one decimal, and no denominator as a dash', () => {
    expect(percentText(0.0926)).toBe('9.3%');
    expect(percentText(0.25)).toBe('25.0%');
    expect(percentText(0)).toBe('0.0%');
    expect(percentText(null)).toBe('—');
  });
});

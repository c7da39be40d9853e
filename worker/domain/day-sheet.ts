import type { Interval } from './availability';

/** What occupies the chair on the day sheet; cancelled and no-show appointments leave it free. */
export const CHAIR_STATUSES = ['held', 'pending_payment', 'confirmed', 'completed'] as const;

export interface ChairItem {
  start: number;
  end: number;
  status: string;
}

export interface Gap extends Interval {
  minutes: number;
}

/**
 * The free stretches of a barber's day: working time minus time off minus the appointments that
 * hold the chair, each at least `minMinutes` long. Inputs are instants (epoch ms); working time
 * comes from the slot engine's `workingIntervals`, so DST days are already right. Pure.
 */
export function dayGaps(working: readonly Interval[], timeOff: readonly Interval[], items: readonly ChairItem[], minMinutes = 1): Gap[] {
  const taken: Interval[] = [
    ...timeOff,
    ...items.filter((a) => (CHAIR_STATUSES as readonly string[]).includes(a.status)),
  ]
    .filter((b) => b.end > b.start)
    .map((b) => ({ start: b.start, end: b.end }))
    .sort((x, y) => x.start - y.start);
  const gaps: Gap[] = [];
  for (const w of [...working].sort((x, y) => x.start - y.start)) {
    let cursor = w.start;
    for (const b of taken) {
      if (b.end <= cursor) continue;
      if (b.start >= w.end) break;
      if (b.start > cursor) push(gaps, cursor, Math.min(b.start, w.end), minMinutes);
      cursor = Math.max(cursor, b.end);
      if (cursor >= w.end) break;
    }
    if (cursor < w.end) push(gaps, cursor, w.end, minMinutes);
  }
  return gaps;
}

function push(gaps: Gap[], start: number, end: number, minMinutes: number): void {
  const minutes = Math.floor((end - start) / 60_000);
  if (minutes >= minMinutes) gaps.push({ start, end, minutes });
}

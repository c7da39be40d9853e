import { createBookingWorld, existingAppointment } from './booking-world';
import { testDb } from './harness';

/** A zone where it is the middle of the day now, so "today" has hours left on both sides. */
export function middayZone(): string {
  const zones = ['Pacific/Kiritimati', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
  const hour = (tz: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
  return zones.reduce((best, tz) => (Math.abs(hour(tz) - 13) < Math.abs(hour(best) - 13) ? tz : best));
}

const STEP = 15 * 60_000;

/**
 * A shop open all day whose barber(s) have the next half hour taken, then exactly 30 free
 * minutes (the gap), then taken again: a 30-minute walk-in fits the gap and nothing earlier.
 */
export async function walkInWorld(barbers = 1) {
  const db = testDb();
  const w = await createBookingWorld(db, { timezone: middayZone(), hours: ['00:00-23:45'], barbers });
  const base = Math.floor(Date.now() / STEP) * STEP;
  for (const b of w.barbers) {
    await existingAppointment(db, w, { start: new Date(base), barberId: b.barber.id });
    await existingAppointment(db, w, { start: new Date(base + 60 * 60_000), barberId: b.barber.id });
  }
  return { db, w, gap: new Date(base + 30 * 60_000) };
}

import type { WaitlistRow } from '../../db/queries/waitlist';
import { formatClock } from '../../domain/working-hours';
import { wireInstant } from '../../lib/wire';

export function waitlistView(w: WaitlistRow) {
  return {
    id: w.id,
    shop_id: w.shop_id,
    barber_id: w.barber_id,
    service_id: w.service_id,
    window_start: wireInstant(w.window_start_ms),
    window_end: wireInstant(w.window_end_ms),
    day_start: w.day_start_minute === null ? null : formatClock(w.day_start_minute),
    day_end: w.day_end_minute === null ? null : formatClock(w.day_end_minute),
    status: w.status,
    offered_appointment_id: w.offered_appointment_id,
    created_at: wireInstant(w.created_ms),
  };
}

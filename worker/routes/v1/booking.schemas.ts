/** Schemas shared by the booking routes: appointments as booked, slots, waitlist entries. */
import { z } from '@hono/zod-openapi';
import { APPOINTMENT_SOURCES, SETTLEMENTS } from '../../db/schema';
import { APPOINTMENT_STATUSES } from '../../services/appointments';
import { WireInstant } from './wire.schemas';

/** Requests may use any RFC 3339 offset; responses use the one wire form (WireInstant). */
export const InstantInput = z.iso.datetime({ offset: true }).openapi({ example: '2026-12-07T09:00:00-05:00' });
export const BarberRef = z.union([z.uuid(), z.literal('any')]).openapi({ example: 'any', description: 'A barber id, or "any"' });

export const BookedAppointmentSchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    barber_id: z.uuid(),
    client_id: z.uuid(),
    service_id: z.uuid(),
    start_time: WireInstant,
    end_time: WireInstant,
    status: z.enum(APPOINTMENT_STATUSES),
    hold_expires_at: WireInstant.nullable().openapi({ description: 'While held: when the slot is released unless paid or accepted' }),
    price_cents: z.number().int(),
    deposit_cents: z.number().int(),
    currency: z.string().length(3),
    notes: z.string().nullable(),
    source: z.enum(APPOINTMENT_SOURCES),
    cancelled_at: WireInstant.nullable(),
    cancel_reason: z.string().nullable(),
    settlement: z.enum(SETTLEMENTS).nullable().openapi({ description: 'The money decision recorded at cancellation or no-show' }),
    fee_cents: z.number().int(),
    refund_due_cents: z.number().int(),
    created_at: WireInstant,
    timezone: z.string().openapi({ example: 'America/New_York' }),
    service_name: z.string(),
    barber_name: z.string(),
  })
  .openapi('BookedAppointment');

export const SettlementSchema = z
  .object({
    outcome: z.enum(SETTLEMENTS),
    late: z.boolean().openapi({ description: 'Inside the cancellation window' }),
    fee_cents: z.number().int(),
    refund_cents: z.number().int(),
    charge_cents: z.number().int().openapi({ description: 'Still to charge to the card on file' }),
    currency: z.string().length(3),
  })
  .openapi('Settlement');

export const SettledAppointmentSchema = z
  .object({ appointment: BookedAppointmentSchema, settlement: SettlementSchema.nullable() })
  .openapi('SettledAppointment');

export const SlotSchema = z.object({ start: WireInstant, end: WireInstant }).openapi('Slot');

export const DateRangeQuery = z.object({
  service_id: z.uuid(),
  from: z.iso.date().openapi({ description: "First day, in the shop's time zone", example: '2026-12-07' }),
  to: z.iso.date().optional().openapi({ description: 'Last day (inclusive); default: from + 6 days', example: '2026-12-13' }),
});

export const WaitlistEntrySchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    barber_id: z.uuid().nullable(),
    service_id: z.uuid(),
    window_start: WireInstant,
    window_end: WireInstant,
    day_start: z.string().nullable().openapi({ example: '17:00' }),
    day_end: z.string().nullable().openapi({ example: '20:00' }),
    status: z.enum(['waiting', 'offered', 'booked', 'cancelled', 'expired']),
    offered_appointment_id: z.uuid().nullable(),
    created_at: WireInstant,
  })
  .openapi('WaitlistEntry');

/** Schemas shared by the booking routes: appointments as booked, slots, waitlist entries. */
import { z } from '@hono/zod-openapi';
import { SETTLEMENTS } from '../../db/schema';
import { errorResponses } from '../../lib/errors';
import { AppointmentSchema } from './appointments.schemas';
import { WireInstant } from './wire.schemas';
import { MovementSchema, PaymentHandleSchema } from './payments.schemas';

/** Requests may use any RFC 3339 offset; responses use the one wire form (WireInstant). */
export const InstantInput = z.iso.datetime({ offset: true }).openapi({ example: '2026-12-07T09:00:00-05:00' });
export const BarberRef = z.union([z.uuid(), z.literal('any')]).openapi({ example: 'any', description: 'A barber id, or "any"' });

/** Booking answers carry the same appointment object as the reads, and what to pay for a hold. */
export const BookedAppointmentSchema = AppointmentSchema.extend({
  payment: PaymentHandleSchema.nullable().openapi({
    description: 'For a held booking: pay (or save a card) with it before `hold_expires_at`. Null when nothing is due — or, for a hold, when Stripe could not be reached: ask POST /appointments/{id}/payment.',
  }),
}).openapi('BookedAppointment');

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
  .object({
    appointment: AppointmentSchema,
    settlement: SettlementSchema.nullable(),
    movements: z.array(MovementSchema).openapi({ description: 'The refund and fee the decision moved, as Stripe answered' }),
  })
  .openapi('SettledAppointment');

/** What every status change of an appointment (cancel, complete, no-show, confirm) can answer. */
export function settledResponses(ok: string) {
  return {
    200: { description: ok, content: { 'application/json': { schema: SettledAppointmentSchema } } },
    400: errorResponses[400],
    401: errorResponses[401],
    402: { description: 'A deposit is due before the hold can be confirmed (confirm): pay it', content: errorResponses[409].content },
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
    410: { description: 'The hold expired (confirm)', content: errorResponses[409].content },
    422: errorResponses[422],
    503: errorResponses[503],
  } as const;
}

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

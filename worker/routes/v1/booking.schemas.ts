/** Schemas shared by the booking routes: appointments as booked, slots, waitlist entries. */
import { z } from '@hono/zod-openapi';
import { SETTLEMENTS } from '../../db/schema';
import { errorResponses } from '../../lib/errors';
import { APPOINTMENT_EXAMPLE, AppointmentSchema } from './appointments.schemas';
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
}).openapi('BookedAppointment', {
  example: {
    ...APPOINTMENT_EXAMPLE,
    status: 'held',
    hold_expires_at: '2026-12-01T18:22:00.000Z',
    paid_cents: 0,
    owed_cents: 3500,
    payment: {
      kind: 'deposit',
      status: 'requires_payment_method',
      amount: 700,
      currency: 'USD',
      client_secret: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d_secret_9f8e7d6c',
      publishable_key: 'pk_live_51Hx…',
      payment_intent_id: 'pi_3Qx7Lk2eZvKYlo2C1a2b3c4d',
      setup_intent_id: null,
      expires_at: '2026-12-01T18:22:00.000Z',
    },
  },
});

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
  .openapi('SettledAppointment', {
    example: {
      appointment: {
        id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
        client_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
        start_time: '2026-12-07T15:30:00.000Z',
        end_time: '2026-12-07T16:00:00.000Z',
        status: 'cancelled',
        hold_expires_at: null,
        price_cents: 3500,
        deposit_cents: 700,
        currency: 'USD',
        notes: 'Short back and sides',
        arrived_at: null,
        cancelled_at: '2026-12-06T20:00:00.000Z',
        cancel_reason: 'Running late at work',
        source: 'online',
        settlement: 'keep_deposit',
        fee_cents: 700,
        refund_due_cents: 0,
        paid_cents: 700,
        refunded_cents: 0,
        owed_cents: 0,
        created_at: '2026-12-01T18:12:00.000Z',
        timezone: 'America/New_York',
        service_name: 'Skin fade',
        barber_name: 'Marco',
      },
      settlement: {
        outcome: 'keep_deposit',
        late: true,
        fee_cents: 700,
        refund_cents: 0,
        charge_cents: 0,
        currency: 'USD',
      },
      movements: [],
    },
  });

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
  .openapi('WaitlistEntry', {
    example: {
      id: 'b7a69584-7362-4514-9f3e-2d1c0b9a8f7e',
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      barber_id: null,
      service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      window_start: '2026-12-07T05:00:00.000Z',
      window_end: '2026-12-12T05:00:00.000Z',
      day_start: '17:00',
      day_end: '20:00',
      status: 'waiting',
      offered_appointment_id: null,
      created_at: '2026-12-01T18:30:00.000Z',
    },
  });

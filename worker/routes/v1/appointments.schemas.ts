import { z } from '@hono/zod-openapi';
import { APPOINTMENT_SOURCES, SETTLEMENTS } from '../../db/schema';
import { APPOINTMENT_STATUSES } from '../../services/appointments';
import { WireInstant as timestamp } from './wire.schemas';

export const AppointmentSchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    barber_id: z.uuid(),
    client_id: z.uuid(),
    service_id: z.uuid(),
    start_time: timestamp,
    end_time: timestamp,
    status: z.enum(APPOINTMENT_STATUSES),
    hold_expires_at: timestamp.nullable(),
    price_cents: z.number().int(),
    deposit_cents: z.number().int(),
    currency: z.string().length(3),
    notes: z.string().nullable(),
    arrived_at: timestamp.nullable().openapi({ description: 'When the client checked in at the shop; null until then' }),
    cancelled_at: timestamp.nullable(),
    cancel_reason: z.string().nullable(),
    source: z.enum(APPOINTMENT_SOURCES).openapi({ description: 'online, staff (phone/desk), walk_in or waitlist' }),
    settlement: z.enum(SETTLEMENTS).nullable().openapi({ description: 'The money decision recorded at cancellation or no-show' }),
    fee_cents: z.number().int().openapi({ description: 'What the client owes in total for a cancellation or no-show' }),
    refund_due_cents: z.number().int().openapi({ description: 'What is due back to the client' }),
    paid_cents: z.number().int().openapi({ description: 'Charges that succeeded (deposit, prepayment, fees)' }),
    refunded_cents: z.number().int().openapi({ description: 'Refunds that succeeded' }),
    owed_cents: z.number().int().openapi({ description: 'Still owed: the fee not covered for a cancellation or no-show, else the price not yet paid (due at the shop)' }),
    created_at: timestamp,
    timezone: z.string().openapi({ description: "The shop's IANA time zone", example: 'America/New_York' }),
    service_name: z.string(),
    barber_name: z.string(),
  })
  .openapi('Appointment');

import { z } from '@hono/zod-openapi';
import { APPOINTMENT_SOURCES, SETTLEMENTS } from '../../db/schema';
import { APPOINTMENT_STATUSES } from '../../services/appointments';
import { WireInstant as timestamp } from './wire.schemas';

/** One appointment as the API answers it: the documented example every schema built on it reuses. */
export const APPOINTMENT_EXAMPLE = {
  id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
  shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
  client_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  service_id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
  start_time: '2026-12-07T15:30:00.000Z',
  end_time: '2026-12-07T16:00:00.000Z',
  status: 'confirmed' as const,
  hold_expires_at: null as string | null,
  price_cents: 3500,
  deposit_cents: 700,
  currency: 'USD',
  notes: 'Short back and sides',
  arrived_at: null,
  cancelled_at: null,
  cancel_reason: null,
  source: 'online' as const,
  settlement: null,
  fee_cents: 0,
  refund_due_cents: 0,
  paid_cents: 700,
  refunded_cents: 0,
  owed_cents: 2800,
  created_at: '2026-12-01T18:12:00.000Z',
  timezone: 'America/New_York',
  service_name: 'Skin fade',
  barber_name: 'Marco',
};

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
  .openapi('Appointment', { example: APPOINTMENT_EXAMPLE });

/**
 * Zod/OpenAPI schemas shared by the management routes (shops, staff, catalogue, schedule,
 * clients). Wire names are snake_case; money is integer minor units + ISO currency; instants are
 * read in any RFC 3339 offset (Instant) and written in the one wire form (WireInstant, ADR 7).
 */
import { z } from '@hono/zod-openapi';
import { withPolicyDefaults, type Appointment, type Barber, type Service, type Shop, type TimeOff } from '../../db/schema';
import { wireInstant } from '../../lib/wire';
import { AppointmentSchema } from './appointments.schemas';
import { WireInstant } from './wire.schemas';

export const Uuid = z.uuid().openapi({ example: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' });

export const IdParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' }),
});

export const Slug = z
  .string()
  .min(3)
  .max(60)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Lower-case letters, digits and single hyphens')
  .openapi({ example: 'fade-street' });

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'An ISO 4217 code in capitals')
  .openapi({ example: 'USD' });

/** Minor units (cents); the upper bound keeps sums far inside 32-bit integers. */
export const PriceCents = z.number().int().min(0).max(10_000_000).openapi({ example: 3500 });

/** Appointments sit on a 5-minute grid, so durations do too. */
// multipleOf is repeated for the document: the generator drops zod's own.
export const DurationMin = z.number().int().positive().max(720).multipleOf(5).openapi({ example: 30, multipleOf: 5 });

/** An instant in a request: any RFC 3339 offset. */
export const Instant = z.iso.datetime({ offset: true }).openapi({ example: '2030-01-07T09:00:00-05:00' });

export const MoneyRuleSchema = z
  .object({
    kind: z.enum(['none', 'percent', 'fixed', 'full']),
    value: z.number().int().min(0).openapi({ description: 'percent: 0..100; fixed: minor units; none and full (the whole price): 0' }),
  })
  .openapi('MoneyRule', { example: { kind: 'percent', value: 20 } });

/** The policy in the documented examples (the shop's own, and the policy schema's). */
const POLICY_EXAMPLE = {
  hold_minutes: 10,
  deposit: { kind: 'percent', value: 20 },
  cancel_window_hours: 24,
  late_cancel_fee: { kind: 'fixed', value: 1000 },
  no_show_fee: { kind: 'fixed', value: 1500 },
  buffer_before_min: 0,
  buffer_after_min: 5,
  min_notice_min: 60,
  booking_window_days: 60,
  slot_step_min: 15,
  max_future_bookings: 3,
  waitlist_offer_minutes: 30,
  card_on_file: false,
};

export const PolicySchema = z
  .object({
    hold_minutes: z.number().int().min(1).max(60),
    deposit: MoneyRuleSchema,
    cancel_window_hours: z.number().int().min(0).max(24 * 14),
    late_cancel_fee: MoneyRuleSchema,
    no_show_fee: MoneyRuleSchema,
    buffer_before_min: z.number().int().min(0).max(240).multipleOf(5).openapi({ multipleOf: 5 }),
    buffer_after_min: z.number().int().min(0).max(240).multipleOf(5).openapi({ multipleOf: 5 }),
    min_notice_min: z.number().int().min(0).max(60 * 24 * 14),
    booking_window_days: z.number().int().min(1).max(366),
    slot_step_min: z.number().int().min(5).max(120).refine((n) => 1440 % n === 0, 'Must divide a day evenly (5, 10, 15, 20, 30, 60, …)'),
    max_future_bookings: z.number().int().min(1).max(50),
    waitlist_offer_minutes: z.number().int().min(5).max(24 * 60),
    card_on_file: z.boolean().openapi({ description: 'Ask online clients for a card on file, so late-cancel and no-show fees can be charged later' }),
  })
  .openapi('ShopPolicy', { example: POLICY_EXAMPLE });

export const AddressSchema = z
  .object({
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().max(200).optional(),
    city: z.string().trim().min(1).max(100),
    region: z.string().trim().max(100).optional(),
    postal_code: z.string().trim().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 in capitals'),
  })
  .openapi('Address', {
    example: { line1: '12 Grand St', city: 'New York', region: 'NY', postal_code: '10013', country: 'US' },
  });

/** The shop in the documented examples: what the owner's and the public views of it share. */
export const SHOP_EXAMPLE = {
  id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  slug: 'fade-street',
  name: 'Fade Street',
  timezone: 'America/New_York',
  currency: 'USD',
  address: {
    line1: '12 Grand St',
    city: 'New York',
    region: 'NY',
    postal_code: '10013',
    country: 'US',
  },
  policy: POLICY_EXAMPLE,
};

export const ShopSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    timezone: z.string().openapi({ example: 'America/New_York' }),
    currency: z.string(),
    address: AddressSchema.nullable(),
    policy: PolicySchema,
    active: z.boolean(),
    created_at: WireInstant,
    updated_at: WireInstant,
  })
  .openapi('Shop', {
    example: {
      ...SHOP_EXAMPLE,
      active: true,
      created_at: '2026-11-02T14:05:00.000Z',
      updated_at: '2026-11-20T16:40:00.000Z',
    },
  });

/** The identifying part of an Appointment: what "these bookings no longer fit" reports carry. */
export const AppointmentRefSchema = AppointmentSchema.pick({
  id: true,
  shop_id: true,
  barber_id: true,
  client_id: true,
  service_id: true,
  start_time: true,
  end_time: true,
  status: true,
}).openapi('AppointmentRef');

export type AppointmentRef = z.infer<typeof AppointmentRefSchema>;

export function appointmentRef(a: Appointment): AppointmentRef {
  return {
    id: a.id,
    shop_id: a.shopId,
    barber_id: a.barberId,
    client_id: a.clientId,
    service_id: a.serviceId,
    start_time: wireInstant(a.startTime),
    end_time: wireInstant(a.endTime),
    status: a.status,
  };
}

export const ServiceSchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    name: z.string(),
    description: z.string(),
    price_cents: z.number().int(),
    currency: z.string(),
    duration_min: z.number().int(),
    active: z.boolean(),
    created_at: WireInstant,
    updated_at: WireInstant,
  })
  .openapi('Service', {
    example: {
      id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      name: 'Skin fade',
      description: 'Clippers and foil, finished with a razor line-up',
      price_cents: 3500,
      currency: 'USD',
      duration_min: 30,
      active: true,
      created_at: '2026-11-02T14:05:00.000Z',
      updated_at: '2026-11-02T14:05:00.000Z',
    },
  });

export const BarberSchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    user_id: z.uuid(),
    display_name: z.string(),
    bio: z.string(),
    active: z.boolean(),
  })
  .openapi('Barber');

export const TimeOffSchema = z
  .object({
    id: z.uuid(),
    barber_id: z.uuid(),
    starts_at: WireInstant,
    ends_at: WireInstant,
    reason: z.string().nullable(),
    created_at: WireInstant,
  })
  .openapi('TimeOff');

// ---- row → wire mappers (snake_case, wire instants) ---------------------------------------

export function shopView(s: Shop): z.infer<typeof ShopSchema> {
  return {
    id: s.id,
    slug: s.slug,
    name: s.name,
    timezone: s.timezone,
    currency: s.currency,
    address: s.address ?? null,
    policy: withPolicyDefaults(s.policy),
    active: s.active,
    created_at: wireInstant(s.createdAt),
    updated_at: wireInstant(s.updatedAt),
  };
}

export function serviceView(s: Service): z.infer<typeof ServiceSchema> {
  return {
    id: s.id,
    shop_id: s.shopId,
    name: s.name,
    description: s.description,
    price_cents: s.priceCents,
    currency: s.currency,
    duration_min: s.durationMin,
    active: s.active,
    created_at: wireInstant(s.createdAt),
    updated_at: wireInstant(s.updatedAt),
  };
}

export function barberView(b: Pick<Barber, 'id' | 'shopId' | 'userId' | 'displayName' | 'bio' | 'active'>): z.infer<typeof BarberSchema> {
  return { id: b.id, shop_id: b.shopId, user_id: b.userId, display_name: b.displayName, bio: b.bio, active: b.active };
}

export function timeOffView(t: TimeOff): z.infer<typeof TimeOffSchema> {
  return {
    id: t.id,
    barber_id: t.barberId,
    starts_at: wireInstant(t.startsAt),
    ends_at: wireInstant(t.endsAt),
    reason: t.reason,
    created_at: wireInstant(t.createdAt),
  };
}

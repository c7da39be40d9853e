/** Schemas of the manage-link routes (GET /api/v1/manage, POST /api/v1/manage/cancel). */
import { z } from '@hono/zod-openapi';
import { SETTLEMENTS } from '../../db/schema';
import { MANAGE_PURPOSES, MANAGE_TOKEN_PATTERN } from '../../notifications/manage-links';
import { APPOINTMENT_STATUSES } from '../../services/appointments';
import { WireInstant } from './wire.schemas';

export const ManageToken = z
  .string()
  .regex(MANAGE_TOKEN_PATTERN, 'Not a manage link token')
  .openapi({ description: 'The `token` of a manage link (`/m?token=…`) from a booking message', example: 'eyJ2IjoxLCJhIjoiY2FuY2VsIiwiaWQiOiIyYzRlNmE4YiJ9.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC1zaWd' });

export const ManageLinkSchema = z
  .object({
    purpose: z.enum(MANAGE_PURPOSES),
    expires_at: WireInstant.openapi({ description: "When the link stops working (the appointment's end at the latest)" }),
    appointment: z.object({
      id: z.uuid(),
      status: z.enum(APPOINTMENT_STATUSES),
      start_time: WireInstant,
      end_time: WireInstant,
      timezone: z.string().openapi({ description: "The shop's IANA time zone", example: 'America/New_York' }),
      shop: z.object({ name: z.string(), slug: z.string() }),
      barber_name: z.string(),
      service_name: z.string(),
      price_cents: z.number().int(),
      currency: z.string().length(3),
      paid_cents: z.number().int().openapi({ description: 'Paid up front and not refunded' }),
    }),
    allows: z.object({ view: z.literal(true), reschedule: z.boolean(), cancel: z.boolean() }),
    reschedule_path: z.string().nullable().openapi({ description: 'A reschedule link: the booking page to choose the new time on', example: '/s/fade-street?reschedule=5b0c…' }),
    cancellation: z
      .object({
        late: z.boolean(),
        outcome: z.enum(SETTLEMENTS),
        fee_cents: z.number().int(),
        refund_cents: z.number().int(),
        charge_cents: z.number().int(),
        currency: z.string().length(3),
      })
      .nullable()
      .openapi({ description: "A cancel link: what cancelling now would mean for money, by the shop's policy" }),
  })
  .openapi('ManageLink', {
    example: {
      purpose: 'reschedule',
      expires_at: '2026-12-07T16:00:00.000Z',
      appointment: {
        id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
        status: 'confirmed',
        start_time: '2026-12-07T15:30:00.000Z',
        end_time: '2026-12-07T16:00:00.000Z',
        timezone: 'America/New_York',
        shop: { name: 'Fade Street', slug: 'fade-street' },
        barber_name: 'Marco',
        service_name: 'Skin fade',
        price_cents: 3500,
        currency: 'USD',
        paid_cents: 700,
      },
      allows: { view: true, reschedule: true, cancel: true },
      reschedule_path: '/s/fade-street?reschedule=2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c',
      cancellation: {
        late: false,
        outcome: 'refund',
        fee_cents: 0,
        refund_cents: 700,
        charge_cents: 0,
        currency: 'USD',
      },
    },
  });

export const MANAGE_ERRORS =
  '400 `link_invalid` — not a link we signed (malformed or altered); 403 `forbidden` (reason `purpose`) — a link for another purpose; ' +
  '410 `link_expired` (reason `expired` | `cancelled` | `past` | `gone`) — past its expiry, or the appointment is cancelled, over or gone; ' +
  '409 `link_used` — a cancel link already used.';

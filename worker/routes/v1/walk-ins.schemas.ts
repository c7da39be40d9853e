import { z } from '@hono/zod-openapi';
import { WireInstant } from './wire.schemas';

export const WalkInTicketSchema = z
  .object({
    id: z.uuid().openapi({ description: 'The walk-in appointment' }),
    shop_id: z.uuid(),
    barber: z.object({ id: z.uuid(), name: z.string() }),
    service: z.object({ id: z.uuid(), name: z.string() }),
    client_name: z.string(),
    start_time: WireInstant.openapi({ description: 'Estimated start: the placed start, later when the barber runs late' }),
    end_time: WireInstant,
    wait_minutes: z.number().int(),
    position: z.number().int().openapi({ description: '1 = the next walk-in of the shop to be seen; 0 once in the chair, done or left' }),
    status: z.enum(['waiting', 'next', 'in_chair', 'done', 'left']),
    status_url: z.url().openapi({ description: 'Signed link to this ticket (no sign-in)' }),
  })
  .openapi('WalkInTicket');

export const WalkInStatusToken = z.string().min(20).max(500).openapi({ description: 'The token of a walk-in status link' });

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
  .openapi('WalkInTicket', {
    example: {
      id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      barber: { id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f', name: 'Marco' },
      service: { id: '8b0c4a4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f', name: 'Skin fade' },
      client_name: 'Sam',
      start_time: '2026-12-07T19:15:00.000Z',
      end_time: '2026-12-07T19:45:00.000Z',
      wait_minutes: 25,
      position: 2,
      status: 'waiting',
      status_url: 'https://bookedbarber.app/s/fade-street/walk-in/wt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw',
    },
  });

export const WalkInStatusToken = z.string().min(20).max(500).openapi({ description: 'The token of a walk-in status link' });

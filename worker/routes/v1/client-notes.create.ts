import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { addShopClientNote } from '../../services/management/clients';
import type { HonoEnv } from '../../types';
import { wireInstant } from '../../lib/wire';
import { IdParams, Uuid } from './management.schemas';
import { WireInstant } from './wire.schemas';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';

export const CreateClientNoteBody = z
  .object({
    shop_id: Uuid.openapi({ description: 'The shop the note belongs to (private to its staff)' }),
    body: z.string().trim().min(1).max(4000).openapi({ example: 'Prefers a number 2 on the sides.' }),
  })
  .openapi('CreateClientNote', {
    example: {
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      body: 'Prefers a number 2 on the sides.',
    },
  });

export const ClientNoteSchema = z
  .object({ id: z.uuid(), shop_id: z.uuid(), client_id: z.uuid(), author_id: z.uuid().nullable(), body: z.string(), created_at: WireInstant })
  .openapi('ClientNote', {
    example: {
      id: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      client_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      author_id: '4b3a2918-0f7e-4d6c-9b5a-483726150f4e',
      body: 'Prefers a number 2 on the sides.',
      created_at: '2026-11-20T16:40:00.000Z',
    },
  });

export type CreateClientNoteBody = z.infer<typeof CreateClientNoteBody>;
export type ClientNoteResponse = z.infer<typeof ClientNoteSchema>;

export const createClientNoteRoute = createRoute({
  method: 'post',
  path: '/api/v1/clients/{id}/notes',
  tags: ['Clients'],
  operationId: 'createClientNote',
  summary: 'Add a private staff note to a client record (staff)',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, params: IdParams, body: { required: true, content: { 'application/json': { schema: CreateClientNoteBody } } } },
  responses: {
    201: { description: 'The note', content: { 'application/json': { schema: ClientNoteSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerCreateClientNote(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createClientNoteRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('services').db;
    const actorId = currentUser(c).userId;
    const note = await addShopClientNote(db, actorId, body.shop_id, id, body.body);
    return c.json(
      { id: note.id, shop_id: note.shopId, client_id: note.clientId, author_id: note.authorId, body: note.body, created_at: wireInstant(note.createdAt) },
      201,
    );
  });
}

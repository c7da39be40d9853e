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
  .openapi('CreateClientNote');

export const ClientNoteSchema = z
  .object({ id: z.uuid(), shop_id: z.uuid(), client_id: z.uuid(), author_id: z.uuid().nullable(), body: z.string(), created_at: WireInstant })
  .openapi('ClientNote');

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

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { authorizeShop } from '../../services/management/access';
import { inviteStaff } from '../../services/management/staff';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';
import { IdempotencyHeaders, idempotent } from '../../middleware/idempotency';

export const CreateInvitationBody = z
  .object({
    email: z.email().max(320).openapi({ example: 'sam@example.com' }),
    role: z.literal('barber').default('barber').openapi({ description: 'Staff role offered' }),
  })
  .openapi('CreateInvitation', {
    example: { email: 'sam@example.com', role: 'barber' },
  });

export const InvitationSchema = z
  .object({
    id: z.uuid(),
    shop_id: z.uuid(),
    email: z.string(),
    role: z.literal('barber'),
    expires_at: z.string().openapi({ example: '2030-01-14T09:00:00.000Z' }),
  })
  .openapi('Invitation', {
    example: {
      id: 'd4c3b2a1-0f9e-4d8c-9b7a-6f5e4d3c2b1a',
      shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      email: 'sam@example.com',
      role: 'barber',
      expires_at: '2026-12-08T09:00:00.000Z',
    },
  });

export type CreateInvitationBody = z.infer<typeof CreateInvitationBody>;
export type InvitationResponse = z.infer<typeof InvitationSchema>;

export const createInvitationRoute = createRoute({
  method: 'post',
  path: '/api/v1/shops/{id}/invitations',
  tags: ['Staff'],
  operationId: 'createInvitation',
  summary: 'Invite a barber by e-mail (owner)',
  description:
    'The invitation is single-use and expires after 7 days. The token travels only in the e-mail; the ' +
    'database keeps its SHA-256 hash and the response does not contain it.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(), idempotent()] as const,
  request: { headers: IdempotencyHeaders, params: IdParams, body: { required: true, content: { 'application/json': { schema: CreateInvitationBody } } } },
  responses: {
    201: { description: 'Invitation created and e-mail queued', content: { 'application/json': { schema: InvitationSchema } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
  },
});

export function registerCreateInvitation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(createInvitationRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const services = c.get('services');
    const actorId = currentUser(c).userId;
    const { shop } = await authorizeShop(services.db, actorId, id, 'owner');
    const invitation = await inviteStaff(services.db, services.notify, {
      shop,
      email: body.email,
      role: body.role,
      actorId,
      appOrigin: services.config.APP_ORIGIN,
    });
    return c.json(
      { id: invitation.id, shop_id: invitation.shopId, email: invitation.email, role: body.role, expires_at: invitation.expiresAt.toISOString() },
      201,
    );
  });
}

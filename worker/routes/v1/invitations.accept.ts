import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { acceptInvitation } from '../../services/management/staff';
import { OPAQUE_TOKEN_PATTERN } from '../../auth/tokens';
import type { HonoEnv } from '../../types';
import { BarberSchema, barberView } from './management.schemas';

export const AcceptInvitationBody = z
  .object({
    token: z
      .string()
      .regex(OPAQUE_TOKEN_PATTERN, 'Not an invitation token')
      .openapi({ description: 'The token from the invitation link (its `#token=` fragment)', example: 'Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC10b2tlbg' }),
  })
  .openapi('AcceptInvitation');

export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

export const AcceptInvitationResponse = z
  .object({ barber: BarberSchema, membership: z.object({ shop_id: z.uuid(), role: z.literal('barber') }) })
  .openapi('AcceptedInvitation');

export type AcceptInvitationResponse = z.infer<typeof AcceptInvitationResponse>;

export const acceptInvitationRoute = createRoute({
  method: 'post',
  path: '/api/v1/invitations/accept',
  tags: ['Staff'],
  operationId: 'acceptInvitation',
  summary: 'Accept an invitation: become a barber of the shop',
  description:
    'The token travels in the body, never in the URL (URLs are logged). ' +
    'The signed-in user must own the invited e-mail address (compared case-insensitively), else 403 `forbidden`, ' +
    'and must have verified it, else 403 `email_unverified`. ' +
    'Unknown token → 404 `not_found`. Already accepted or expired → 409 `conflict`: the invitation exists ' +
    'but can no longer be used; ask the shop for a new one. Membership (always `barber`) and barber profile are ' +
    'created atomically.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: AcceptInvitationBody } } } },
  responses: {
    200: { description: 'Now a barber of the shop', content: { 'application/json': { schema: AcceptInvitationResponse } } },
    400: errorResponses[400],
    422: errorResponses[422],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

export function registerAcceptInvitation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(acceptInvitationRoute, async (c) => {
    const { token } = c.req.valid('json');
    const barber = await acceptInvitation(c.get('services').db, currentUser(c).userId, token);
    return c.json({ barber: barberView(barber), membership: { shop_id: barber.shopId, role: 'barber' as const } }, 200);
  });
}

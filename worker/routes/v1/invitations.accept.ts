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
      .openapi({ description: 'The token from the invitation link (its `#token=` fragment)', example: 'Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC10b2t' }),
  })
  .openapi('AcceptInvitation', {
    example: { token: 'Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC10b2t' },
  });

export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

export const AcceptInvitationResponse = z
  .object({ barber: BarberSchema, membership: z.object({ shop_id: z.uuid(), role: z.literal('barber') }) })
  .openapi('AcceptedInvitation', {
    example: {
      barber: {
        id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
        shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
        user_id: '4b3a2918-0f7e-4d6c-9b5a-483726150f4e',
        display_name: 'Marco',
        bio: 'Fades and beard work, 12 years behind the chair.',
        active: true,
      },
      membership: { shop_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', role: 'barber' },
    },
  });

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

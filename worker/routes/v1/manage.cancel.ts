import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cancelWithLink } from '../../services/manage-links';
import type { HonoEnv } from '../../types';
import { settledResponses } from './booking.schemas';
import { MANAGE_ERRORS, ManageToken } from './manage.schemas';

export const ManageCancelBody = z
  .object({
    token: ManageToken,
    reason: z.string().trim().max(300).optional().openapi({ example: 'Running late at work' }),
  })
  .openapi('ManageCancel', {
    example: {
      token: 'eyJ2IjoxLCJhIjoiY2FuY2VsIiwiaWQiOiIyYzRlNmE4YiJ9.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtcmVhbC1zaWd',
      reason: 'Running late at work',
    },
  });

export const manageCancelRoute = createRoute({
  method: 'post',
  path: '/api/v1/manage/cancel',
  tags: ['Appointments'],
  operationId: 'cancelWithManageLink',
  summary: 'Cancel with the cancel link from a booking message (no sign-in); the refund or fee per policy, as the client cancelling',
  description:
    'The same cancellation as POST /appointments/{id}/cancel by the client: outside the window what was paid is refunded, inside it the ' +
    'late-cancel fee applies (or a paid deposit is kept). The link is single-use. ' +
    MANAGE_ERRORS,
  request: { body: { required: true, content: { 'application/json': { schema: ManageCancelBody } } } },
  responses: settledResponses('The cancelled appointment and the money decision'),
});

export function registerManageCancel(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(manageCancelRoute, async (c) => {
    const body = c.req.valid('json');
    const result = await cancelWithLink(c.get('services'), body.token, body.reason ?? null);
    c.header('Cache-Control', 'private, no-store');
    return c.json(result, 200);
  });
}

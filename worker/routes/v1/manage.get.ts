import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponses } from '../../lib/errors';
import { viewWithLink } from '../../services/manage-links';
import type { HonoEnv } from '../../types';
import { MANAGE_ERRORS, ManageLinkSchema, ManageToken } from './manage.schemas';

export const manageLinkRoute = createRoute({
  method: 'get',
  path: '/api/v1/manage',
  tags: ['Appointments'],
  operationId: 'getManageLink',
  summary: 'The appointment behind a manage link, and what the link allows (no sign-in: the signed link is the proof)',
  description:
    'Every booking message carries three signed links (view, reschedule, cancel), each for one purpose, bound to the appointment and ' +
    "expiring at its end at the latest. Reading one changes nothing; a cancel link also says what cancelling now would cost. " +
    MANAGE_ERRORS,
  request: { query: z.object({ token: ManageToken }) },
  responses: {
    200: { description: 'The appointment and the link', content: { 'application/json': { schema: ManageLinkSchema } } },
    400: errorResponses[400],
    403: errorResponses[403],
    409: errorResponses[409],
    410: { description: 'The link expired, or its appointment is cancelled or over', content: errorResponses[409].content },
    422: errorResponses[422],
  },
});

export function registerManageLink(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(manageLinkRoute, async (c) => {
    const view = await viewWithLink(c.get('services'), c.req.valid('query').token);
    c.header('Cache-Control', 'private, no-store');
    return c.json(view, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import { newBrowserNonce, stateCookie } from '../../integrations/google/state';
import { ApiError, errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { startGoogleConnection } from '../../services/calendar-sync';
import { authorizeBarber } from '../../services/management/access';
import type { HonoEnv } from '../../types';

export const GoogleConnectQuery = z.object({
  barber_id: z.uuid().openapi({ param: { name: 'barber_id', in: 'query' }, description: 'The barber whose calendar to connect', example: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' }),
  mode: z
    .enum(['redirect', 'json'])
    .default('redirect')
    .openapi({
      param: { name: 'mode', in: 'query' },
      description:
        '`redirect` (default): 302 to Google. `json`: 200 with the URL, for a web page that opens the consent page itself (the browser that calls this must be the one that opens it: the answer sets the cookie the callback requires)',
    }),
});

export const GoogleConnectResponse = z
  .object({ authorization_url: z.url().openapi({ description: "Google's consent page; valid for 10 minutes, once" }) })
  .openapi('GoogleConnect', {
    example: {
      authorization_url: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=…&code_challenge_method=S256&state=…',
    },
  });

export type GoogleConnectResponse = z.infer<typeof GoogleConnectResponse>;

export const googleConnectRoute = createRoute({
  method: 'get',
  path: '/api/v1/integrations/google/connect',
  tags: ['Integrations'],
  operationId: 'connectGoogleCalendar',
  summary: "Start connecting a barber's Google Calendar (the barber or an owner): Google's consent page, with PKCE",
  description:
    'Sets an HttpOnly, SameSite=Lax cookie scoped to the callback (Secure over HTTPS) holding a nonce whose hash the state carries: ' +
    'the callback is accepted only in the browser that started the connection.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { query: GoogleConnectQuery },
  responses: {
    200: { description: 'The consent URL (mode=json)', content: { 'application/json': { schema: GoogleConnectResponse } } },
    302: { description: "To Google's consent page; Google sends the barber back to the callback" },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerGoogleConnect(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(googleConnectRoute, async (c) => {
    const { barber_id: barberId, mode } = c.req.valid('query');
    const services = c.get('services');
    const userId = currentUser(c).userId;
    await authorizeBarber(services.db, userId, barberId, 'self_or_owner');
    const nonce = newBrowserNonce();
    const url = await startGoogleConnection(services, { userId, barberId, nonce });
    if (!url) throw new ApiError('not_found', 'Google Calendar is not available on this deployment');
    // A new start replaces the cookie of an earlier one: only the latest consent page completes.
    const cookie = stateCookie(services.config.APP_ORIGIN);
    setCookie(c, cookie.name, nonce, cookie.options);
    c.header('Cache-Control', 'no-store');
    if (mode === 'json') return c.json({ authorization_url: url }, 200);
    return c.redirect(url, 302);
  });
}

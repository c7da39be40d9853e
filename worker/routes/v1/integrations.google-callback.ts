import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie } from 'hono/cookie';
import { nonceMatches, stateCookie } from '../../integrations/google/state';
import { ApiError, errorResponses } from '../../lib/errors';
import { completeGoogleConnection, takeGoogleState } from '../../services/calendar-sync';
import { authorizeBarber } from '../../services/management/access';
import type { HonoEnv } from '../../types';

export const GoogleCallbackQuery = z.object({
  state: z.string().min(1).max(200).openapi({ param: { name: 'state', in: 'query' }, description: 'The state the connect step made (single use, 10 minutes)' }),
  code: z.string().min(1).max(2048).optional().openapi({ param: { name: 'code', in: 'query' }, description: "Google's authorization code" }),
  error: z.string().max(200).optional().openapi({ param: { name: 'error', in: 'query' }, description: 'Set by Google instead of code, e.g. access_denied' }),
});

/** Where the barber lands, with the outcome for the page to show. */
const ACCOUNT = '/account';

export const googleCallbackRoute = createRoute({
  method: 'get',
  path: '/api/v1/integrations/google/callback',
  tags: ['Integrations'],
  operationId: 'googleCalendarCallback',
  summary: 'Where Google sends the barber back: stores the grant (tokens encrypted) and redirects to /account',
  description:
    'Public: authenticated by its `state`, which names the signed-in user who started the connection and the barber, works once and expires after 10 minutes, ' +
    'and by the cookie the connect step set in the same browser (missing or not matching the state: 403 `forbidden`, reason `oauth_browser`). ' +
    'That user must still be the barber or an owner of their shop. The cookie is cleared whatever the outcome.',
  request: { query: GoogleCallbackQuery },
  responses: {
    302: { description: '/account?google=connected, or google=denied / google=failed' },
    400: errorResponses[400],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export function registerGoogleCallback(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(googleCallbackRoute, async (c) => {
    const query = c.req.valid('query');
    const services = c.get('services');
    c.header('Cache-Control', 'no-store');
    const cookie = stateCookie(services.config.APP_ORIGIN);
    const nonce = getCookie(c, cookie.name);
    // Used or not, the nonce is done with (Hono carries this header onto an error response too).
    deleteCookie(c, cookie.name, { path: cookie.options.path, secure: cookie.options.secure, httpOnly: true, sameSite: 'Lax' });
    if (!nonce) {
      throw new ApiError('forbidden', 'This Google sign-in was not started in this browser (or its cookie expired): connect again from your account', {
        reason: 'oauth_browser',
      });
    }
    const pending = await takeGoogleState(services, query.state);
    if (!pending) throw new ApiError('forbidden', 'This Google sign-in was not started here, was already used, or has expired: connect again');
    // The state is taken either way: a flow whose callback reached the wrong browser is over.
    if (!(await nonceMatches(pending, nonce))) {
      services.logger.warn('google callback refused', { reason: 'oauth_browser', barber_id: pending.barber_id });
      throw new ApiError('forbidden', 'This Google sign-in was started in another browser: connect again from your account', { reason: 'oauth_browser' });
    }
    if (query.error || !query.code) return c.redirect(`${ACCOUNT}?google=denied`, 302);
    // The user who started it must still be allowed to act for the barber.
    const { barber } = await authorizeBarber(services.db, pending.user_id, pending.barber_id, 'self_or_owner');
    const outcome = await completeGoogleConnection(services, {
      code: query.code,
      verifier: pending.code_verifier,
      barberId: barber.id,
      shopId: barber.shopId,
      actorId: pending.user_id,
      nowMs: Date.now(),
    });
    return c.redirect(`${ACCOUNT}?google=${outcome.ok ? 'connected' : 'failed'}`, 302);
  });
}

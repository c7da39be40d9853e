import { data, redirect } from '@remix-run/cloudflare';
import { newBrowserNonce, stateCookie } from '../../worker/integrations/google/state';
import { ApiError } from '../../worker/lib/errors';
import { rotateCalendarToken } from '../../worker/services/calendar-feed';
import { disconnectGoogle, googleEnabled, startGoogleConnection, updateGoogleSettings } from '../../worker/services/calendar-sync';
import type { Services } from '../../worker/services/container';
import { googleStateFor } from '../../worker/services/week';
import { officeChair, officeRequest, refusal, unreadable } from './work.week.server';

export async function loadCalendar(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  try {
    const chair = await officeChair(services, office);
    const google = googleEnabled(services) ? await googleStateFor(services, chair) : null;
    return data(
      {
        page: {
          barberId: chair.barber.id,
          barberName: chair.barber.displayName,
          own: chair.own,
          hasFeed: chair.barber.icsTokenHash !== null,
          googleAvailable: googleEnabled(services),
          google: google ? { blockBusy: google.block_busy, error: google.sync_error } : null,
        },
        problem: null,
      },
      { headers: office.headers },
    );
  } catch (err) {
    return unreadable(err, office.headers);
  }
}

export type CalendarResult = { ok: boolean; text: string; feed?: { url: string; webcal: string } };

export async function changeCalendar(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const reply = (result: CalendarResult, status = 200) => data({ result }, { status, headers: office.headers });
  try {
    const chair = await officeChair(services, office);
    const t = { barberId: chair.barber.id, shopId: chair.barber.shopId, actorId: office.userId };
    if (intent === 'rotate') {
      const issued = await rotateCalendarToken(services.db, services.config.APP_ORIGIN, office.userId, chair.barber);
      if (!issued) throw new ApiError('not_found', 'No such barber');
      return reply({ ok: true, text: 'A new feed link is ready. Any link made before stops working.', feed: { url: issued.url, webcal: issued.webcalUrl } });
    }
    if (intent === 'google-connect') {
      // What GET /integrations/google/connect does: the state bound to this browser, then Google.
      const nonce = newBrowserNonce();
      const url = await startGoogleConnection(services, { userId: office.userId, barberId: chair.barber.id, nonce });
      if (!url) throw new ApiError('not_found', 'Google Calendar is not available on this deployment');
      const cookie = stateCookie(services.config.APP_ORIGIN);
      const o = cookie.options;
      const headers = new Headers(office.headers);
      headers.append('Set-Cookie', `${cookie.name}=${nonce}; Path=${o.path}; Max-Age=${o.maxAge}; HttpOnly; SameSite=${o.sameSite}${o.secure ? '; Secure' : ''}`);
      throw redirect(url, { headers });
    }
    if (intent === 'google-disconnect') {
      await disconnectGoogle(services, t);
      return reply({ ok: true, text: 'Google Calendar disconnected. Events already written stay in it.' });
    }
    if (intent === 'google-settings') {
      const state = await updateGoogleSettings(services, { ...t, blockBusy: form.get('block_busy') === 'on', nowMs: Date.now() });
      if (!state) throw new ApiError('not_found', 'No Google calendar is connected');
      return reply({ ok: !state.sync_error, text: state.sync_error ? `Saved, but the busy times could not be read: ${state.sync_error}` : 'Settings saved.' });
    }
    return reply({ ok: false, text: 'That action is not available.' }, 400);
  } catch (err) {
    if (err instanceof Response) throw err;
    return reply({ ok: false, text: refusal(err).text }, refusal(err).status);
  }
}

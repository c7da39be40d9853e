import { data } from '@remix-run/cloudflare';
import { parsePlainDate, zonedTimeToUtc } from '../../worker/domain/time';
import { parseClock } from '../../worker/domain/working-hours';
import type { Services } from '../../worker/services/container';
import { addTimeOff, listTimeOff, removeTimeOff } from '../../worker/services/management/schedule';
import { formatDateTime } from '../lib/format';
import { officeChair, officeRequest, refusal, unreadable, uuidOr } from './work.week.server';

/** "2026-12-07T09:30" (a datetime-local field) on the shop's clock → the instant, or null. */
export function shopInstant(value: string, timeZone: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(value.trim());
  const day = m ? parsePlainDate(m[1]!) : null;
  const minute = m ? parseClock(m[2]!) : null;
  return day && minute !== null ? zonedTimeToUtc(day, minute, timeZone) : null;
}

export async function loadTimeOff(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  try {
    const chair = await officeChair(services, office);
    const tz = chair.shop.timezone;
    const list = await listTimeOff(services.db, chair.barber.id, { from: new Date(), limit: 50 });
    const blocks = list.data.map((t) => ({
      id: t.id,
      text: `${formatDateTime(t.startsAt, tz, office.locale)} – ${formatDateTime(t.endsAt, tz, office.locale)}`,
      reason: t.reason,
    }));
    return data({ page: { barberId: chair.barber.id, barberName: chair.barber.displayName, own: chair.own, timezone: tz, blocks }, problem: null }, { headers: office.headers });
  } catch (err) {
    return unreadable(err, office.headers);
  }
}

export type TimeOffResult = { ok: boolean; text: string; stranded: string[]; errors: { field: string; text: string }[] };

export async function changeTimeOff(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const form = await request.formData();
  const reply = (result: TimeOffResult, status = 200) => data({ result }, { status, headers: office.headers });
  try {
    const chair = await officeChair(services, office);
    const tz = chair.shop.timezone;
    const target = { barberId: chair.barber.id, shopId: chair.barber.shopId, timezone: tz };
    if (form.get('intent') === 'remove') {
      const id = uuidOr(form.get('id'));
      if (!id) return reply({ ok: false, text: 'That time off is not there any more.', stranded: [], errors: [] }, 404);
      await removeTimeOff(services, office.userId, target, id);
      return reply({ ok: true, text: 'Time off removed.', stranded: [], errors: [] });
    }
    const from = shopInstant(String(form.get('from') ?? ''), tz);
    const to = shopInstant(String(form.get('to') ?? ''), tz);
    const errors: { field: string; text: string }[] = [];
    if (!from) errors.push({ field: 'from', text: 'Enter when the time off starts' });
    if (!to) errors.push({ field: 'to', text: 'Enter when the time off ends' });
    if (!from || !to) return reply({ ok: false, text: 'The time off was not added.', stranded: [], errors }, 422);
    const reason = String(form.get('reason') ?? '').trim().slice(0, 200) || null;
    const added = await addTimeOff(services, office.userId, target, { startsAt: from, endsAt: to, reason });
    const stranded = added.stranded.map((a) => formatDateTime(a.startTime, tz, office.locale));
    return reply({ ok: true, text: 'Time off added. Nobody can book you then.', stranded, errors: [] });
  } catch (err) {
    const r = refusal(err);
    const errors = r.errors.map((e) => ({ field: e.path.endsWith('ends_at') ? 'to' : 'from', text: e.path.endsWith('ends_at') ? `Until: ${e.message.replace('starts_at', 'the start')}` : e.message }));
    return reply({ ok: false, text: r.text, stranded: [], errors }, r.status);
  }
}

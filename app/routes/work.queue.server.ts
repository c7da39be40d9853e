import { data } from '@remix-run/cloudflare';
import { barberWithStanding, shopStanding, type ShopServiceSummary } from '../../worker/db/queries/access';
import { ApiError } from '../../worker/lib/errors';
import { me } from '../../worker/services/auth';
import type { Services } from '../../worker/services/container';
import type { DaySheet } from '../../worker/services/day-sheet';
import { joinWalkIn, walkInQueue, type WalkInTicket } from '../../worker/services/walk-ins';
import { dayInZone, formatDuration, formatTime, formatZoneName, validTimeZone } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { signedIn } from './account.server';
import { failureOf, readJoinForm, waitWords } from './s.$slug_.walk-in.server';

export type QueueStatus = WalkInTicket['status'];

export interface QueueEntryView {
  id: string;
  position: number;
  firstName: string;
  service: string;
  barber: string;
  time: string;
  wait: string;
  status: QueueStatus;
  statusText: string;
}

export interface QueueBarberView {
  id: string;
  name: string;
  nextFree: string;
  booked: string;
}

export interface QueueView {
  shop: { id: string; name: string; timezone: string; zoneName: string };
  nowText: string;
  entries: QueueEntryView[];
  barbers: QueueBarberView[];
  services: { id: string; name: string }[];
  /** The caller's own chair in this shop, for "me" in the add form and "you" in its result. */
  ownBarberId: string | null;
}

const STATUS_TEXT: Record<QueueStatus, string> = {
  waiting: 'Waiting',
  next: 'Next',
  in_chair: 'In the chair',
  done: 'Done',
  left: 'Left',
};

const firstNameOf = (name: string) => name.trim().split(/\s+/)[0] || 'Walk-in';

export function queueView(q: Awaited<ReturnType<typeof walkInQueue>>, services: { id: string; name: string }[], ownBarberId: string | null, locale: string): QueueView {
  const tz = q.shop.timezone;
  const now = Date.parse(q.now);
  return {
    shop: { ...q.shop, zoneName: formatZoneName(tz, locale) },
    nowText: formatTime(q.now, tz, locale),
    entries: [...q.entries]
      .sort((a, b) => a.position - b.position)
      .map((e) => ({
        id: e.id,
        position: e.position,
        firstName: firstNameOf(e.client_name),
        service: e.service.name,
        barber: e.barber.name,
        time: formatTime(e.start_time, tz, locale),
        wait: waitWords(e.wait_minutes, locale),
        status: e.status,
        statusText: STATUS_TEXT[e.status] ?? e.status,
      })),
    barbers: q.barbers.map((b) => ({
      id: b.id,
      name: b.name,
      nextFree: b.next_free === null ? 'Nothing free today' : Date.parse(b.next_free) <= now ? 'Free now' : formatTime(b.next_free, tz, locale),
      booked: b.booked_minutes > 0 ? formatDuration(b.booked_minutes, locale) : 'Nothing booked',
    })),
    services,
    ownBarberId,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which shop's queue: the one named (an owner's `?shop=`, or the owner's route), else the shop of
 * the caller's chair, else the one shop they own. Null when the caller works nowhere.
 */
async function shopOf(services: Services, userId: string, named: string | null): Promise<string | null> {
  if (named) return UUID.test(named) ? named : null;
  const user = await me(services, userId);
  const memberships = user?.memberships ?? [];
  const chair = memberships.find((m) => m.role === 'barber');
  if (chair) return chair.shop_id;
  const owned = memberships.filter((m) => m.role === 'owner');
  return owned.length === 1 ? owned[0]!.shop_id : null;
}

/**
 * The shop's active catalogue (for the add form) and the caller's own chair among the queue's
 * barbers (for "me" and "you"): one small statement per barber, all at once.
 */
async function deskOf(services: Services, userId: string, shopId: string, barberIds: string[]): Promise<{ services: { id: string; name: string }[]; own: string | null }> {
  const rows = await Promise.all(barberIds.map((id, i) => barberWithStanding(services.db, userId, id, { withServices: i === 0 })));
  const raw = rows[0]?.catalogue;
  const list: ShopServiceSummary[] = typeof raw === 'string' ? (JSON.parse(raw) as ShopServiceSummary[]) : (raw ?? []);
  const mine = rows.find((r) => r && r.barber.userId === userId && r.barber.shopId === shopId);
  return { services: list.filter((s) => s.active).map((s) => ({ id: s.id, name: s.name })), own: mine?.barber.id ?? null };
}

export async function loadQueue(services: Services, request: Request, named: string | null) {
  const { userId, headers } = await signedIn(services, request);
  const locale = visitorLocale(request);
  const shopId = await shopOf(services, userId, named ?? new URL(request.url).searchParams.get('shop'));
  if (!shopId) return data({ page: null, problem: 'You have no chair at a shop yet.' }, { status: 404, headers });
  try {
    const q = await walkInQueue(services, userId, shopId);
    const desk = await deskOf(services, userId, shopId, q.barbers.map((b) => b.id));
    return data({ page: queueView(q, desk.services, desk.own, locale), problem: null }, { headers });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const problem = err.code === 'not_found' || err.code === 'forbidden' ? 'No such shop, or you do not work there.' : (err.detail ?? err.message);
    return data({ page: null, problem }, { status: err.code === 'forbidden' ? 404 : err.status, headers });
  }
}

/** "Placed at 2:40 PM with you (in 25 min)" — what the desk tells the person in front of them. */
export function placedText(ticket: WalkInTicket, timeZone: string, ownBarberId: string | null, locale: string): string {
  const who = ownBarberId && ticket.barber.id === ownBarberId ? 'you' : ticket.barber.name;
  const wait = ticket.wait_minutes <= 0 ? 'now' : `in ${formatDuration(Math.round(ticket.wait_minutes), locale)}`;
  return `Placed at ${formatTime(ticket.start_time, timeZone, locale)} with ${who} (${wait})`;
}

/**
 * A walk-in added by staff: the same service as the public page, as the signed-in barber or owner
 * (the service checks they work at this shop). `barber=me` is the caller's own chair.
 */
export async function addWalkIn(services: Services, request: Request, named: string | null) {
  const { userId, headers } = await signedIn(services, request);
  const locale = visitorLocale(request);
  const form = await request.formData();
  const shopId = named ?? (await shopOf(services, userId, String(form.get('shop') ?? '') || new URL(request.url).searchParams.get('shop')));
  if (!shopId || !UUID.test(shopId)) {
    return data({ walkIn: true as const, ok: false as const, status: 404, text: 'No such shop, or you do not work there.', fields: {}, values: { first_name: '', phone: '' } }, { status: 404, headers });
  }
  // The desk's form is for the shop's staff: anyone else joins from the public page, as themself.
  const standing = await shopStanding(services.db, userId, shopId);
  if (!standing.isAdmin && !standing.roles.some((r) => r === 'owner' || r === 'barber')) {
    return data({ walkIn: true as const, ok: false as const, status: 404, text: 'No such shop, or you do not work there.', fields: {}, values: { first_name: '', phone: '' } }, { status: 404, headers });
  }
  const parsed = readJoinForm(form);
  if (!parsed.ok) return data({ walkIn: true as const, ...parsed }, { status: parsed.status, headers });
  // Both only shape the words of the answer: the service decides who may add and where.
  const own = String(form.get('own_barber') ?? '');
  const tz = validTimeZone(String(form.get('tz') ?? '')) ?? 'UTC';
  try {
    const ticket = await joinWalkIn(services, userId, shopId, parsed.input);
    return data({ walkIn: true as const, ok: true as const, id: ticket.id, text: placedText(ticket, tz, UUID.test(own) ? own : null, locale) }, { headers });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const failure = failureOf(err, { first_name: parsed.input.firstName, phone: parsed.input.phone });
    const status = err.code === 'forbidden' ? 404 : failure.status;
    return data({ walkIn: true as const, ...failure, status }, { status, headers });
  }
}

export type SheetWalkIn = Pick<QueueView, 'shop' | 'barbers' | 'services' | 'ownBarberId'>;

/**
 * The day sheet's "Walk-in" form: only on today's sheet (walk-ins are placed today), for this
 * barber or whoever is free first, with the shop's active catalogue (one small statement).
 */
export async function sheetWalkIn(services: Services, userId: string, sheet: DaySheet, own: boolean, locale: string, now = Date.now()): Promise<SheetWalkIn | null> {
  if (sheet.date !== dayInZone(now, sheet.timezone)) return null;
  const row = await barberWithStanding(services.db, userId, sheet.barber.id, { withServices: true });
  const raw = row?.catalogue;
  const list: ShopServiceSummary[] = typeof raw === 'string' ? (JSON.parse(raw) as ShopServiceSummary[]) : (raw ?? []);
  return {
    shop: { id: sheet.barber.shop_id, name: row?.shop.name ?? '', timezone: sheet.timezone, zoneName: formatZoneName(sheet.timezone, locale) },
    barbers: [{ id: sheet.barber.id, name: sheet.barber.name, nextFree: '', booked: '' }],
    services: list.filter((s) => s.active).map((s) => ({ id: s.id, name: s.name })),
    ownBarberId: own ? sheet.barber.id : null,
  };
}

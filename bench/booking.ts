/**
 * Booking benchmarks against a running stack (used by bench/run.ts):
 *
 *  1. Latency cycles, one request at a time. Each cycle takes one barber of Fade Street through
 *     create → reschedule → cancel as a demo client; before each write (and after the previous
 *     cycle's cancel) the barber's availability and the shop's "any barber" availability are read
 *     once (a real MISS: the write before it moved the barber's cache epoch) and then twice more
 *     (HITs). GET /health (liveness, touches nothing) is sampled in the same loop so every
 *     latency can be given as a multiple of it.
 *  2. A contention run: many clients in flight racing for a few known slots. Each round is one
 *     day; each of its slots is a "window" — an anchor instant in the middle of one of a
 *     barber's working blocks — and racers only aim at (service, start) pairs the API offers
 *     whose interval contains the anchor. Any two such intervals overlap, so each window can be
 *     sold exactly once, and windows are far enough apart that they cannot interact: the number
 *     of successes must equal the number of windows. The database is then checked directly.
 *
 * Every loop is bounded in count and time; traffic goes only to the given (loopback) origin.
 * What the run books is cancelled again at the end of each cycle / round.
 */
import { DEMO_PASSWORD } from '../worker/db/seed/index.ts';
import { addDays, formatPlainDate, localDate, weekdayOf, zonedTimeToUtc, type PlainDate } from '../worker/domain/time.ts';
import { BENCH_SHOP_OWNER } from './bench-shop.ts';
import { fmt, jsonInit, mulberry32, ratio, Series, sleep, timed, type Query } from './lib.ts';

const SHOP_SLUG = 'fade-street';
const ACTIVE = `('held', 'pending_payment', 'confirmed')`;
const MIN = 60_000;
/** The days the benchmark books on: clear of the seeded history (±7 days), inside the window. */
const FIRST_DAY = 20;
const READ_DAYS = 7;

export interface BookingBenchOptions {
  origin: string;
  query: Query;
  /** Recorded latency cycles (each: 3 writes, 18 reads, 6 liveness probes). */
  cycles: number;
  contention: {
    inFlight: number;
    /** Upper bound on booking attempts over all rounds. */
    attempts: number;
    rounds: number;
    /** Upper bound on the racing time over all rounds. */
    seconds: number;
    /** How many extra clients to register (stops at the first refusal, e.g. the hourly limit). */
    register: number;
    /** The shop whose barbers the clients race for (bench/bench-shop.ts: twenty of them). */
    shopSlug: string;
  };
  log: (line: string) => void;
  /** Deposit bookings paid at the Stripe stand-in, so that it delivers real webhooks (0 to skip). */
  paidCycles: number;
  stripe: { apiUrl: string; secretKey: string };
}

interface Offered {
  service_id: string;
  name: string;
  duration_min: number;
}
interface ShopPage {
  id: string;
  timezone: string;
  name: string;
  policy: { booking_window_days?: number; buffer_after_min?: number; buffer_before_min?: number; deposit?: { kind: string } };
  barbers: { id: string; display_name: string; services: Offered[]; working_hours: { weekday: number; start: string; end: string }[] }[];
}
interface Slot {
  start: string;
  end: string;
}
interface Client {
  email: string;
  token: string;
  userId: string;
}
interface Problem {
  code?: string;
  reason?: string;
}

export interface LatencyResult {
  liveness: Series;
  rows: Series[];
  /** Neon requests of the first booking on each barber's object in this run (warm-up). */
  coldCreates: string[];
  cycles: number;
  failures: string[];
}

export interface Window {
  barber: string;
  barberId: string;
  local: string;
  anchorMs: number;
  candidates: { serviceId: string; service: string; durationMin: number; startMs: number }[];
}

export interface Round {
  day: string;
  windows: Window[];
  attempts: number;
  seconds: number;
  successIds: string[];
  /** Per window: active appointments the database holds in it after the round. */
  activeInWindow: number[];
  idsMatch: boolean;
  overlapsAfter: number;
  cancelledAfter: number;
}

export interface ContentionResult {
  shop: { name: string; barbers: number; deposit: boolean };
  clients: { demo: number; registered: number; registerStoppedBy: string | null };
  inFlight: number;
  rounds: Round[];
  attempts: number;
  seconds: number;
  /** Per answer (status, code / reason): its latencies and Neon counts. */
  byOutcome: Map<string, Series>;
  created: Series;
  refused: Series;
  retryable: Series;
  other: Series;
  liveness: Series;
  overlapsGlobal: number;
  leftoverActive: number;
}

export interface PaidResult {
  cycles: number;
  confirmed: number;
  cancelled: number;
  failures: string[];
}

export interface BookingResult {
  latency: LatencyResult;
  paid: PaidResult;
  contention: ContentionResult;
}

const minuteOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

interface RaceContext {
  shop: ShopPage;
  tz: string;
  bufferMin: number;
  firstDay: PlainDate;
  lastDay: PlainDate;
  barbers: ShopPage['barbers'];
  deposit: boolean;
}

function raceContext(shop: ShopPage): RaceContext {
  const tz = shop.timezone;
  const today = localDate(new Date(), tz);
  return {
    shop,
    tz,
    bufferMin: (shop.policy.buffer_after_min ?? 0) + (shop.policy.buffer_before_min ?? 0),
    firstDay: addDays(today, FIRST_DAY),
    lastDay: addDays(today, (shop.policy.booking_window_days ?? 30) - 2),
    barbers: shop.barbers,
    deposit: (shop.policy.deposit?.kind ?? 'none') !== 'none',
  };
}

export async function runBookingBench(o: BookingBenchOptions): Promise<BookingResult> {
  const api = (path: string) => `${o.origin}/api/v1${path}`;
  const rand = mulberry32(20261202);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  const shopRes = await timed<ShopPage>(api(`/shops/${SHOP_SLUG}`));
  if (shopRes.status !== 200) throw new Error(`GET /shops/${SHOP_SLUG}: ${shopRes.status}`);
  const shop = shopRes.body;
  const tz = shop.timezone;
  const windowDays = shop.policy.booking_window_days ?? 30;
  const today = localDate(new Date(), tz);
  const firstDay = addDays(today, FIRST_DAY);
  const lastDay = addDays(today, windowDays - 2);
  const barbers = shop.barbers;
  const commonService = (name: string) => {
    const ids = barbers.map((b) => b.services.find((s) => s.name === name)?.service_id);
    if (ids.some((id) => !id)) throw new Error(`not every barber of ${SHOP_SLUG} offers ${name}`);
    return ids[0]!;
  };
  const readService = commonService('Classic Cut');
  const shopService = commonService('Beard Trim');

  async function login(email: string, password = DEMO_PASSWORD): Promise<Client> {
    const r = await timed<{ access_token: string; user: { id: string } }>(api('/auth/login'), jsonInit('POST', { email, password }));
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    return { email, token: r.body.access_token, userId: r.body.user.id };
  }

  // ── leftovers of an interrupted earlier run: cancel them (by the owner) before measuring ──
  // Fade Street's owner, who also owns the contention shop (bench/bench-shop.ts).
  const owner = await login(BENCH_SHOP_OWNER);
  const benchEmails = ['client9@example.test', 'client10@example.test', 'client11@example.test', 'client12@example.test'];
  const leftoverQuery = `
    SELECT a.id FROM appointments a JOIN users u ON u.id = a.client_id
     WHERE a.shop_id = $1 AND a.status IN ${ACTIVE}
       AND a.start_time >= $2::timestamptz AND a.start_time < $3::timestamptz
       AND (lower(u.email) LIKE 'bench-%' OR lower(u.email) = ANY($4::text[]))
     LIMIT 500`;
  const benchSpan = [
    zonedTimeToUtc(firstDay, 0, tz).toISOString(),
    zonedTimeToUtc(addDays(lastDay, 1), 0, tz).toISOString(),
  ];
  const leftovers = await o.query<{ id: string }>(leftoverQuery, [shop.id, ...benchSpan, benchEmails]);
  for (const { id } of leftovers) await timed(api(`/appointments/${id}/cancel`), jsonInit('POST', { reason: 'benchmark cleanup' }, owner.token));
  if (leftovers.length > 0) o.log(`cancelled ${leftovers.length} appointments left by an earlier benchmark run`);

  const latency = await latencyCycles();
  const paid = await paidCycles();
  const contention = await contentionRun();
  return { latency, paid, contention };

  // ── 1b. paid deposits: the stand-in delivers the webhooks (their cost is read from the log) ──
  async function paidCycles(): Promise<PaidResult> {
    const client = await login('client10@example.test');
    const day = addDays(firstDay, READ_DAYS + 1);
    const date = formatPlainDate(day);
    const result: PaidResult = { cycles: 0, confirmed: 0, cancelled: 0, failures: [] };
    for (let i = 0; i < o.paidCycles; i++) {
      const barber = barbers[i % barbers.length]!;
      const slots = await timed<{ slots: Slot[] }>(api(`/barbers/${barber.id}/availability?service_id=${readService}&from=${date}&to=${date}`));
      const free = slots.status === 200 ? slots.body.slots : [];
      if (free.length === 0) {
        result.failures.push(`no free slot for ${barber.display_name} on ${date}`);
        continue;
      }
      result.cycles++;
      const made = await timed<{ id: string; payment?: { payment_intent_id: string } } & Problem>(
        api('/appointments'),
        jsonInit('POST', { barber_id: barber.id, service_id: readService, start_time: pick(free).start }, client.token),
      );
      if (made.status !== 201 || !made.body.payment) {
        result.failures.push(`create ${made.status} ${made.body?.code ?? made.error ?? ''}`.trim());
        continue;
      }
      // What the client's browser does with Stripe.js; the stand-in then signs and POSTs
      // payment_intent.succeeded (and the rest) to the Worker's webhook.
      const pay = await fetch(`${o.stripe.apiUrl}/__test/payment_intents/${made.body.payment.payment_intent_id}/pay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payment_method=pm_card_visa',
      });
      if (!pay.ok) result.failures.push(`pay ${pay.status}`);
      let status = '';
      for (let k = 0; k < 50 && status !== 'confirmed'; k++) {
        const got = await timed<{ status: string }>(api(`/appointments/${made.body.id}`), { headers: { authorization: `Bearer ${client.token}` } });
        status = got.status === 200 ? got.body.status : '';
        if (status !== 'confirmed') await sleep(100);
      }
      if (status === 'confirmed') result.confirmed++;
      else result.failures.push(`not confirmed after paying (${status || 'unreadable'})`);
      // Outside the cancellation window: the deposit is refunded, and the refund's events come back too.
      const gone = await timed<Problem>(api(`/appointments/${made.body.id}/cancel`), jsonInit('POST', { reason: 'benchmark cleanup' }, client.token));
      if (gone.status === 200) result.cancelled++;
      else result.failures.push(`cancel ${gone.status} ${gone.body?.code ?? ''}`.trim());
    }
    return result;
  }

  // ── 1. latency cycles ──────────────────────────────────────────────────────────────────────
  async function latencyCycles(): Promise<LatencyResult> {
    const client = await login('client9@example.test');
    const from = formatPlainDate(firstDay);
    const to = formatPlainDate(addDays(firstDay, READ_DAYS - 1));
    const range = `from=${from}&to=${to}`;
    const liveness = new Series('GET /health (liveness: no auth, no Upstash, no Neon)', '0');
    const barberMiss = new Series(`GET /barbers/{id}/availability — miss (${READ_DAYS} days, first read after a write)`, '1');
    const barberHit = new Series(`GET /barbers/{id}/availability — hit (same read repeated)`, '0');
    const shopMiss = new Series(`GET /shops/{id}/availability — miss ("any barber", ${barbers.length} barbers × ${READ_DAYS} days)`, '1');
    const shopHit = new Series(`GET /shops/{id}/availability — hit`, '0');
    // Fade Street takes a deposit: the object's booking statement, then the payment's row once
    // Stripe made the intent (the client's customer comes back with the booking statement).
    const create = new Series('POST /appointments (client, deposit shop, barber object warm)', '2');
    const reschedule = new Series('POST /appointments/{id}/reschedule (same barber)', '2');
    const cancel = new Series('POST /appointments/{id}/cancel (client, outside the window)', '2');
    const failures: string[] = [];
    const coldCreates: string[] = [];

    /** Reads after a write: one miss and two hits of each view; returns the barber's slots. */
    async function reads(barberId: string, record: boolean): Promise<Slot[]> {
      const probe = async () => {
        const t = await timed(`${o.origin}/health`);
        if (record) liveness.add(t);
      };
      await probe();
      const barberUrl = api(`/barbers/${barberId}/availability?service_id=${readService}&${range}`);
      const shopUrl = api(`/shops/${shop.id}/availability?service_id=${shopService}&${range}`);
      const miss = await timed<{ slots: Slot[] }>(barberUrl);
      if (record) barberMiss.add(miss);
      for (let i = 0; i < 2; i++) {
        const hit = await timed(barberUrl);
        if (record) barberHit.add(hit);
      }
      const sMiss = await timed(shopUrl);
      if (record) shopMiss.add(sMiss);
      for (let i = 0; i < 2; i++) {
        const hit = await timed(shopUrl);
        if (record) shopHit.add(hit);
      }
      await probe();
      return miss.status === 200 ? miss.body.slots : [];
    }

    async function cycle(barberId: string, record: boolean): Promise<void> {
      const earliest = zonedTimeToUtc(firstDay, 0, tz).getTime();
      let slots = (await reads(barberId, record)).filter((s) => Date.parse(s.start) >= earliest);
      if (slots.length === 0) {
        failures.push(`no free slot for barber ${barberId} in ${range}`);
        return;
      }
      const first = pick(slots);
      const made = await timed<{ id: string; start_time: string } & Problem>(
        api('/appointments'),
        jsonInit('POST', { barber_id: barberId, service_id: readService, start_time: first.start }, client.token),
      );
      if (record) create.add(made);
      else coldCreates.push(made.neon);
      if (made.status !== 201) {
        failures.push(`create ${made.status} ${made.body?.code ?? made.error ?? ''} ${made.body?.reason ?? ''}`.trim());
        return;
      }
      const id = made.body.id;
      slots = (await reads(barberId, record)).filter((s) => Math.abs(Date.parse(s.start) - Date.parse(first.start)) >= 3 * 60 * MIN);
      if (slots.length > 0) {
        const moved = await timed<Problem>(api(`/appointments/${id}/reschedule`), jsonInit('POST', { start_time: pick(slots).start }, client.token));
        if (record) reschedule.add(moved);
        if (moved.status !== 200) failures.push(`reschedule ${moved.status} ${moved.body?.code ?? moved.error ?? ''} ${moved.body?.reason ?? ''}`.trim());
      }
      await reads(barberId, record);
      const gone = await timed<Problem>(api(`/appointments/${id}/cancel`), jsonInit('POST', {}, client.token));
      if (record) cancel.add(gone);
      if (gone.status !== 200) failures.push(`cancel ${gone.status} ${gone.body?.code ?? gone.error ?? ''}`.trim());
    }

    // Warm-up: one unrecorded cycle per barber (wakes each barber's object and the isolate).
    for (const b of barbers) await cycle(b.id, false);
    const deadline = Date.now() + 180_000;
    let done = 0;
    for (; done < o.cycles && Date.now() < deadline; done++) {
      await cycle(barbers[done % barbers.length]!.id, true);
      if (done % 10 === 9) o.log(`  latency cycles: ${done + 1}/${o.cycles}`);
    }
    return { liveness, rows: [barberMiss, barberHit, shopMiss, shopHit, create, reschedule, cancel], coldCreates, cycles: done, failures };
  }

  // ── 2. contention ──────────────────────────────────────────────────────────────────────────
  async function contentionRun(): Promise<ContentionResult> {
    const c = o.contention;
    const page = await timed<ShopPage>(api(`/shops/${c.shopSlug}`));
    if (page.status !== 200) throw new Error(`GET /shops/${c.shopSlug}: ${page.status}`);
    const ctx = raceContext(page.body);
    const { shop, tz, firstDay, lastDay } = ctx;
    const benchSpan = [zonedTimeToUtc(firstDay, 0, tz).toISOString(), zonedTimeToUtc(addDays(lastDay, 1), 0, tz).toISOString()];
    // What an interrupted earlier run left in this shop, cancelled by its owner through the API
    // (so each barber's object and the availability cache hear of it).
    const stale = await o.query<{ id: string }>(`SELECT id FROM appointments WHERE shop_id = $1 AND status IN ${ACTIVE} LIMIT 1000`, [shop.id]);
    for (const { id } of stale) await timed(api(`/appointments/${id}/cancel`), jsonInit('POST', { reason: 'benchmark cleanup' }, owner.token));
    if (stale.length > 0) o.log(`  contention: cancelled ${stale.length} appointments an interrupted run left in ${shop.name}`);
    const ownerOf = new Map<string, Client>();
    const clients: Client[] = [];
    for (const email of benchEmails) clients.push(await login(email));
    const demo = clients.length;
    let registerStoppedBy: string | null = null;
    const runId = Date.now().toString(36);
    for (let i = 0; i < c.register; i++) {
      const email = `bench-${runId}-${i}@example.test`;
      const password = crypto.randomUUID(); // free of the account's name and e-mail (password policy)
      const r = await timed<{ access_token: string; user: { id: string } } & Problem>(
        api('/auth/register'),
        jsonInit('POST', { email, password, first_name: 'Bench', last_name: `Racer ${i}` }),
      );
      if (r.status !== 201) {
        registerStoppedBy = `${r.status} ${r.body?.code ?? r.error ?? ''}`.trim();
        break;
      }
      clients.push({ email, token: r.body.access_token, userId: r.body.user.id });
    }

    // Round days: Fade Street's days from FIRST_DAY+1 to the end of its booking window with at
    // least four usable windows.
    const rounds: Round[] = [];
    const plans: { day: PlainDate; windows: Window[] }[] = [];
    for (let d = addDays(firstDay, 1); formatPlainDate(d) <= formatPlainDate(lastDay) && plans.length < c.rounds; d = addDays(d, 1)) {
      const windows = await windowsOn(d, ctx);
      if (windows.length >= 4) plans.push({ day: d, windows });
    }
    if (plans.length === 0) throw new Error('contention: no day with four usable windows');

    // A held deposit booking: the object's statement and the payment's row.
    const created = new Series('201 created', ctx.deposit ? '2' : '1');
    const refused = new Series('409 refused');
    const retryable = new Series('503 retryable');
    const other = new Series('other');
    const liveness = new Series('GET /health during the race', '0');
    const byOutcome = new Map<string, Series>();
    const attemptsPerRound = Math.max(1, Math.floor(c.attempts / plans.length));
    const msPerRound = (c.seconds * 1000) / plans.length;
    let attempts = 0;
    let racing = 0;

    for (const plan of plans) {
      const aims = plan.windows.flatMap((w, wi) => w.candidates.map((cand) => ({ wi, w, cand })));
      const successIds: string[] = [];
      let next = 0;
      const began = performance.now();
      const until = Date.now() + msPerRound;
      let running = true;
      const racer = async () => {
        while (next < attemptsPerRound && Date.now() < until) {
          next++;
          const aim = pick(aims);
          const who = pick(clients);
          const t = await timed<{ id: string } & Problem>(
            api('/appointments'),
            jsonInit('POST', { barber_id: aim.w.barberId, service_id: aim.cand.serviceId, start_time: new Date(aim.cand.startMs).toISOString() }, who.token),
          );
          const key = t.status === 201 ? '201 created' : t.status === 0 ? `no response (${t.error})` : `${t.status} ${t.body?.code ?? ''}${t.body?.reason ? ` / ${t.body.reason}` : ''}`;
          if (!byOutcome.has(key)) byOutcome.set(key, new Series(key));
          byOutcome.get(key)!.add(t);
          if (t.status === 201) {
            created.add(t);
            successIds.push(t.body.id);
            ownerOf.set(t.body.id, who);
          } else if (t.status === 409) refused.add(t);
          else if (t.status === 503) retryable.add(t);
          else other.add(t);
        }
      };
      const prober = async () => {
        for (let i = 0; i < 5_000 && running; i++) {
          liveness.add(await timed(`${o.origin}/health`));
          await sleep(20);
        }
      };
      const probe = prober();
      await Promise.all(Array.from({ length: c.inFlight }, racer));
      running = false;
      await probe;
      const seconds = (performance.now() - began) / 1000;
      attempts += next;
      racing += seconds;

      // Verify in the database: exactly one active booking per window, and it is one we were told about.
      const activeInWindow: number[] = [];
      const found = new Set<string>();
      for (const w of plan.windows) {
        const rows = await o.query<{ id: string }>(
          `SELECT id FROM appointments WHERE barber_id = $1 AND status IN ${ACTIVE}
              AND tstzrange(start_time, end_time, '[)') && tstzrange($2::timestamptz, $3::timestamptz, '[)')`,
          [w.barberId, new Date(w.anchorMs - 2 * 60 * MIN).toISOString(), new Date(w.anchorMs + 2 * 60 * MIN).toISOString()],
        );
        activeInWindow.push(rows.length);
        for (const r of rows) found.add(r.id);
      }
      const idsMatch = found.size === successIds.length && successIds.every((id) => found.has(id));
      const overlapsAfter = await overlaps();
      // Give the slots back (and the clients their booking quota) before the next round.
      let cancelledAfter = 0;
      for (const id of successIds) {
        const who = ownerOf.get(id)!;
        const r = await timed(api(`/appointments/${id}/cancel`), jsonInit('POST', { reason: 'benchmark cleanup' }, who.token));
        if (r.status === 200) cancelledAfter++;
      }
      rounds.push({
        day: formatPlainDate(plan.day),
        windows: plan.windows,
        attempts: next,
        seconds,
        successIds,
        activeInWindow,
        idsMatch,
        overlapsAfter,
        cancelledAfter,
      });
      o.log(`  contention ${formatPlainDate(plan.day)}: ${next} attempts in ${seconds.toFixed(1)} s, ${successIds.length} created for ${plan.windows.length} windows`);
    }

    const overlapsGlobal = await overlaps();
    const leftover = await o.query<{ id: string }>(leftoverQuery, [shop.id, ...benchSpan, benchEmails]);
    const registered = clients.length - demo;
    return {
      shop: { name: shop.name, barbers: ctx.barbers.length, deposit: ctx.deposit },
      clients: { demo, registered, registerStoppedBy },
      inFlight: c.inFlight,
      rounds,
      attempts,
      seconds: racing,
      byOutcome,
      created,
      refused,
      retryable,
      other,
      liveness,
      overlapsGlobal,
      leftoverActive: leftover.length,
    };
  }

  /** Pairs of active appointments of the same barber whose ranges overlap, over the whole table. */
  async function overlaps(): Promise<number> {
    const [row] = await o.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM appointments a JOIN appointments b
          ON a.barber_id = b.barber_id AND a.id < b.id
         AND tstzrange(a.start_time, a.end_time, '[)') && tstzrange(b.start_time, b.end_time, '[)')
       WHERE a.status IN ${ACTIVE} AND b.status IN ${ACTIVE}`);
    return Number(row?.n ?? -1);
  }

  /**
   * The windows of one day: per barber, an anchor in the middle of each working block of two
   * hours or more (on the 15-minute grid), kept only when it is clear of every other anchor of the
   * barber by two of the longest services plus the buffer, nothing active is booked within two
   * hours of it, and the API offers at least two (service, start) pairs containing it.
   */
  async function windowsOn(day: PlainDate, ctx: RaceContext): Promise<Window[]> {
    const { barbers, bufferMin, tz } = ctx;
    const out: Window[] = [];
    const date = formatPlainDate(day);
    for (const b of barbers) {
      const longest = Math.max(...b.services.map((s) => s.duration_min));
      const anchors: number[] = [];
      for (const block of b.working_hours.filter((h) => h.weekday === weekdayOf(day))) {
        const start = minuteOf(block.start);
        const end = minuteOf(block.end);
        if (end - start < 120) continue;
        const anchor = Math.floor((start + end) / 2 / 15) * 15;
        if (anchors.every((a) => Math.abs(a - anchor) >= 2 * longest + bufferMin + 15)) anchors.push(anchor);
      }
      if (anchors.length === 0) continue;
      const offered = await Promise.all(
        b.services.map(async (s) => {
          const r = await timed<{ slots: Slot[] }>(api(`/barbers/${b.id}/availability?service_id=${s.service_id}&from=${date}&to=${date}`));
          return { s, slots: r.status === 200 ? r.body.slots : [] };
        }),
      );
      for (const anchor of anchors) {
        const anchorMs = zonedTimeToUtc(day, anchor, tz).getTime();
        const busy = await o.query<{ id: string }>(
          `SELECT id FROM appointments WHERE barber_id = $1 AND status IN ${ACTIVE}
              AND tstzrange(start_time, end_time, '[)') && tstzrange($2::timestamptz, $3::timestamptz, '[)')`,
          [b.id, new Date(anchorMs - 2 * 60 * MIN).toISOString(), new Date(anchorMs + 2 * 60 * MIN).toISOString()],
        );
        if (busy.length > 0) continue;
        const candidates = offered.flatMap(({ s, slots }) =>
          slots
            .filter((slot) => Date.parse(slot.start) <= anchorMs && anchorMs < Date.parse(slot.end))
            .map((slot) => ({ serviceId: s.service_id, service: s.name, durationMin: s.duration_min, startMs: Date.parse(slot.start) })),
        );
        if (candidates.length >= 2) out.push({ barber: b.display_name, barberId: b.id, local: `${date} ${hhmm(anchor)}`, anchorMs, candidates });
      }
    }
    return out;
  }
}

// ── markdown ─────────────────────────────────────────────────────────────────────────────────

/** Why a row is off its Neon target, from what the code does (shown only when it is off). */
function whyOff(row: Series): string | null {
  if (row.meetsTarget()) return null;
  const counts = [...row.neon.keys()];
  const name = row.name;
  if (name.startsWith('POST /appointments (') && counts.some((n) => Number(n) > Number(row.target))) {
    return (
      "some bookings made more than one request: when the object's snapshot version is behind Postgres, the write " +
      'comes back with the fresh snapshot and is retried once.'
    );
  }
  if (name.includes('— hit') && counts.some((n) => n !== '0')) {
    return 'some repeats were not served from the cache (a roster entry expired, or a write moved an epoch in between).';
  }
  if (name.includes('— miss') && counts.includes('0')) {
    return 'some first reads were cache hits: nothing had moved the epoch since the last read of the same days.';
  }
  return `Neon requests ${row.neonText()} against a target of ${row.target}.`;
}

export function renderBooking(r: BookingResult): string {
  const { latency: l, contention: c } = r;
  const base = l.liveness.stats();
  const statusText = (s: Series) => [...s.statuses.entries()].map(([k, n]) => (s.statuses.size > 1 ? `${k}×${n}` : String(k))).join(', ');
  const line = (s: Series) => {
    const st = s.stats();
    return `| ${s.name} | ${s.count} | ${fmt(st.p50)} | ${fmt(st.p99)} | ${ratio(st.p50, base.p50)} | ${ratio(st.p99, base.p99)} | ${s.neonText()} | ${s.target} | ${s.meetsTarget() ? 'yes' : '**no**'} | ${statusText(s)} |`;
  };
  const racingBase = c.liveness.stats();
  /** Latency with its ratio to the quiet liveness figure and (under load) to liveness while racing. */
  const lat = (s: Series, underLoad = true) => {
    if (s.count === 0) return '–';
    const st = s.stats();
    const r = (ms: number, quiet: number, loaded: number) => `${ratio(ms, quiet)}${underLoad ? ` / ${ratio(ms, loaded)}` : ''}`;
    return `p50 ${fmt(st.p50)} ms (${r(st.p50, base.p50, racingBase.p50)}), p99 ${fmt(st.p99)} ms (${r(st.p99, base.p99, racingBase.p99)})`;
  };

  // Off-target rows, one bullet per distinct reason.
  const reasons = new Map<string, string[]>();
  for (const row of l.rows) {
    const why = whyOff(row);
    if (why) reasons.set(why, [...(reasons.get(why) ?? []), row.name.replace(/ \(.*\)$/, '')]);
  }

  const outcomes = [...c.byOutcome.values()].sort((a, b) => b.count - a.count);
  const count = (pred: (key: string) => boolean) => outcomes.filter((s) => pred(s.name)).reduce((n, s) => n + s.count, 0);
  const fivexx = count((k) => /^5\d\d/.test(k) && !k.startsWith('503'));
  const limitRefusals = count((k) => k.includes('booking_limit'));
  const slots = c.rounds.reduce((n, x) => n + x.windows.length, 0);
  const successes = c.created.count;
  const exactlyOne = c.rounds.reduce((n, x) => n + x.activeInWindow.filter((k) => k === 1).length, 0);
  const idsMatch = c.rounds.every((x) => x.idsMatch);
  const overlapsAfterRounds = Math.max(...c.rounds.map((x) => x.overlapsAfter));
  const verdict = overlapsAfterRounds === 0 && c.overlapsGlobal === 0 && successes === slots && exactlyOne === slots && idsMatch && fivexx === 0;
  const services = [...new Set(c.rounds.flatMap((x) => x.windows.flatMap((w) => w.candidates.map((k) => `${k.service} ${k.durationMin} min`))))].sort();

  const notes: string[] = [];
  notes.push(
    'Fade Street takes a deposit, so every booking is a hold with a PaymentIntent: the object\'s one booking statement ' +
      '(which also returns the client\'s Stripe customer), the intent at the Stripe stand-in, then the payment\'s row — **2** ' +
      'Neon requests is the floor of a deposit booking; a shop without a deposit books in 1.',
  );
  notes.push(
    'Cancel and reschedule begin with one statement that finds the appointment and decides what the caller is to ' +
      "it (client, barber, owner) — the route cannot know which barber's object to ask before that — and then the " +
      "object's single write: **2** is their floor.",
  );
  notes.push(
    `The first booking on each barber's object in this run (warm-up, not in the table) made ${l.coldCreates.join(', ') || '–'} ` +
      'Neon requests' +
      (l.coldCreates.every((n) => n === '2')
        ? ': the objects kept their snapshots (in Durable Object storage) from earlier use and they were current.'
        : ': an object with no snapshot loads one first, and one whose snapshot is behind Postgres gets the fresh one back from its write and retries once.'),
  );
  if (l.failures.length > 0) {
    notes.push(`Unexpected answers in the cycles: ${l.failures.slice(0, 10).map((f) => `\`${f}\``).join(', ')}${l.failures.length > 10 ? ` … (${l.failures.length})` : ''}.`);
  }

  const raceNotes: string[] = [];
  raceNotes.push(
    `Throughput was ${(c.attempts / c.seconds).toFixed(0)} attempts/s, so with ${c.inFlight} in flight most of each latency is ` +
      'waiting in line (for the 2 cores and for the barber\'s lock), not work: a refusal on a warm object costs no Neon request.',
  );
  if (limitRefusals > 0) {
    raceNotes.push(
      `\`409 conflict / booking_limit\`: the client already held ${'`max_future_bookings`'} upcoming bookings at the shop ` +
        '(the racers share a few accounts). That check lives in the write statement, so the refusal costs one Neon request.',
    );
  }
  const coldCreates = [...c.created.neon.entries()].filter(([n]) => Number(n) > (c.shop.deposit ? 2 : 1)).reduce((n, [, k]) => n + k, 0);
  if (coldCreates > 0 && limitRefusals === 0) {
    raceNotes.push(
      `The ${coldCreates} successes with one Neon request more than the rest are the first booking on a barber's object in ` +
        `this run (${c.shop.barbers} barbers): an object with no snapshot yet loads it before it books.`,
    );
  }
  const taken = c.byOutcome.get('409 slot_unavailable / taken');
  if (taken && [...taken.neon.keys()].some((n) => n !== '0')) {
    raceNotes.push(
      '`taken` refusals with a Neon request are writes the object let through that Postgres refused (exclusion ' +
        'constraint, 23P01) — the backstop at work; the object then reloads its snapshot.',
    );
  }

  return `## Booking: availability and writes (one request at a time)

${l.cycles} cycles, one request in flight. Each cycle takes one of Fade Street's barbers (in turn) through
create → reschedule → cancel as demo client \`client9@example.test\`, on days ${FIRST_DAY}–${FIRST_DAY + READ_DAYS - 1} ahead. Before
each write, and after the cancel, the barber's ${READ_DAYS}-day availability and the shop's "any barber"
availability are read once — a real **miss**: the write before it moved the barber's cache epoch —
and then twice more (**hits**). \`GET /health\` (liveness) is sampled twice around every group of
reads, in the same loop: it is the yardstick of the ×health columns (on a shared 2-core machine the
ratios are steadier than the milliseconds). For writes, the barber's Durable Object reports its own
Neon requests back into the header.

| request | n | p50 ms | p99 ms | p50 ×health | p99 ×health | Neon requests / request | target | met | status |
|---|---|---|---|---|---|---|---|---|---|
${line(l.liveness)}
${l.rows.map(line).join('\n')}

${reasons.size === 0 ? 'Every row meets its Neon target.' : `Off target:\n${[...reasons.entries()].map(([why, rows]) => `- ${rows.map((n) => `**${n}**`).join(' and ')}: ${why}`).join('\n')}`}

Notes:
${notes.map((n) => `- ${n}`).join('\n')}

## Booking: contention (many clients racing for few slots)

${c.shop.name}: ${c.shop.barbers} barbers, ${c.shop.deposit ? 'a deposit on every booking' : 'no deposit (a booking is confirmed by one statement)'}.
${c.inFlight} requests in flight, ${c.attempts} booking attempts in ${c.rounds.length} rounds (${c.seconds.toFixed(1)} s of racing),
by ${c.clients.demo + c.clients.registered} client accounts (${c.clients.demo} demo clients${c.clients.registered ? ` + ${c.clients.registered} registered for the run` : ''}${c.clients.registerStoppedBy ? `; registering stopped at \`${c.clients.registerStoppedBy}\`` : ''}).
Each round is one day; its slots are **windows**: an anchor instant in the middle of each working
block of each barber. Racers aim only at (service, start) pairs the availability API offered
before the round whose interval contains the anchor — overlapping starts, different lengths
(${services.join(', ')}) — so any two aims at one window overlap and it can be sold exactly once;
one barber's windows are further apart than two of the longest services plus the buffer, so they
cannot interfere. **Successes must equal the number of windows.** Each round's bookings are
cancelled once it has been checked.

| | count | latency (× quiet health / × health while racing) | Neon requests / request |
|---|---|---|---|
| slots on offer (windows) | ${slots} | ${c.rounds.map((x) => `${x.day}: ${x.windows.length}`).join(', ')} | |
| attempts | ${c.attempts} | | |
${outcomes.map((s) => `| ${s.name} | ${s.count} | ${lat(s)} | ${s.neonText()} |`).join('\n')}
${c.byOutcome.has('503 dependency_unavailable / busy') ? '' : '| 503 dependency_unavailable (retryable) | 0 | | |\n'}| 5xx other than a retryable 503 | ${fivexx} | | |
| no response (timeout, connection error) | ${count((k) => k.startsWith('no response'))} | | |
| GET /health while racing (one prober) | ${c.liveness.count} | ${lat(c.liveness, false)} | ${c.liveness.neonText()} |

| database check (after each round / at the end) | result |
|---|---|
| pairs of overlapping active appointments of one barber (whole table) | ${c.rounds.map((x) => x.overlapsAfter).join(', ')} / ${c.overlapsGlobal} |
| windows holding exactly one active appointment | ${exactlyOne} of ${slots} |
| the active appointments in the windows are exactly the ${successes} answered 201 | ${idsMatch ? 'yes' : '**no**'} |
| successes = slots | ${successes} = ${slots}${successes === slots ? '' : ' **(no)**'} |
| benchmark bookings still active after clean-up | ${c.leftoverActive} |

**${verdict ? 'Zero overlaps; successes equal the slots available.' : 'CHECK FAILED — see the rows above.'}**

${raceNotes.map((n) => `- ${n}`).join('\n')}
- The first ratio is against the one-at-a-time liveness p50/p99 above, the second against
  liveness sampled during the race (one prober, same load): what a booking costs beyond the load.
- The checks read Postgres through the Neon-HTTP endpoint the Worker uses (\`.dev.vars\`
  DATABASE_URL): a self-join on \`tstzrange(start_time, end_time, '[)') &&\` over appointments
  held / pending_payment / confirmed, and per window the active appointments within two hours of
  its anchor.

<details><summary>Windows</summary>

${c.rounds
  .map(
    (x) =>
      `- ${x.day} (${x.attempts} attempts, ${x.seconds.toFixed(1)} s): ` +
      x.windows.map((w, i) => `${w.barber} ${w.local.slice(11)} (${w.candidates.length} aims → ${x.activeInWindow[i]} booked)`).join('; '),
  )
  .join('\n')}

</details>
`;
}

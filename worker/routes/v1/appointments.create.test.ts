import { env } from 'cloudflare:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, auditLog, memberships, timeOff, users } from '../../db/schema';
import { buildAppointment } from '../../db/seed/builders';
import { bearer } from '../../../tests/worker/auth';
import { book, createBookingWorld, localInstant, newClient } from '../../../tests/worker/booking-world';
import { call, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { ok, problem, type Schemas } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';
import { sqlState } from '../../lib/pg-errors';

/** Books through the typed client: a body the document no longer accepts stops typechecking. */
function bookAs(token: string, body: Schemas['CreateAppointment'], idempotencyKey?: string) {
  return workerApi(token).POST('/api/v1/appointments', {
    body,
    ...(idempotencyKey ? { params: { header: { 'idempotency-key': idempotencyKey } } } : {}),
  });
}

/** The next quarter hour at least 20 minutes away: on the grid, inside a 2 h notice. */
function soonOnStep(): Date {
  const q = 15 * 60_000;
  return new Date(Math.ceil((Date.now() + 20 * 60_000) / q) * q);
}

describe('POST /api/v1/appointments', () => {
  it('books a free slot: 201 confirmed in a no-deposit shop, in ONE Neon request once the object is warm', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const start = localInstant(w.timezone, 2, '10:00');
    // The first booking also loads the barber's snapshot into the object.
    const first = await bookAs(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: start.toISOString() });
    expect(first.response.status).toBe(201);
    const created = ok(first);
    expect(created).toMatchObject({
      barber_id: w.barber.barber.id,
      client_id: w.client.user.id,
      status: 'confirmed',
      start_time: start.toISOString(),
      end_time: new Date(start.getTime() + 30 * 60_000).toISOString(),
      price_cents: 3000,
      deposit_cents: 0,
      source: 'online',
      timezone: w.timezone,
    });
    expect(created.payment).toBeNull();
    expect(first.response.headers.get('location')).toBe(`/api/v1/appointments/${created.id}`);

    const second = await bookAs(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 2, '11:00').toISOString() });
    expect(second.response.status).toBe(201);
    expect(neonRequests(second.response)).toBe(1);

    // Audit row and client membership were written in the same statement.
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.entityId, created.id), eq(auditLog.action, 'appointment.booked')));
    expect(audit).toHaveLength(1);
    const member = await db.select().from(memberships).where(and(eq(memberships.userId, w.client.user.id), eq(memberships.shopId, w.shop.id)));
    expect(member.map((m) => m.role)).toEqual(['client']);
  });

  it('holds the slot for the policy’s minutes when the shop takes a deposit', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { deposit: { kind: 'percent', value: 20 }, hold_minutes: 10 } });
    const before = Date.now();
    const res = await bookAs(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() });
    expect(res.response.status).toBe(201);
    const body = ok(res);
    expect(body.status).toBe('held');
    expect(body.deposit_cents).toBe(600);
    const expires = Date.parse(body.hold_expires_at ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 10 * 60_000 - 5_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 5_000);
  });

  it('says why a time cannot be booked: 409 slot_unavailable with the reason, nothing written', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { min_notice_min: 120, booking_window_days: 14 } });
    const barber = w.barber.barber.id;
    await db.insert(timeOff).values({ barberId: barber, startsAt: localInstant(w.timezone, 4, '12:00'), endsAt: localInstant(w.timezone, 4, '14:00') });
    const taken = localInstant(w.timezone, 5, '10:00');
    expect((await bookAs(w.client.token, { barber_id: barber, service_id: w.short.id, start_time: taken.toISOString() })).response.status).toBe(201);
    const other = await newClient(db);
    const cases: [string, Date][] = [
      ['outside_hours', localInstant(w.timezone, 4, '07:00')],
      ['outside_hours', localInstant(w.timezone, 4, '16:45')], // would end after 17:00
      ['time_off', localInstant(w.timezone, 4, '12:30')],
      ['too_soon', soonOnStep()],
      ['too_far', localInstant(w.timezone, 20, '10:00')],
      ['not_on_step', localInstant(w.timezone, 4, '10:05')],
      ['taken', new Date(taken.getTime() + 15 * 60_000)],
    ];
    for (const [reason, start] of cases) {
      const res = await bookAs(other.token, { barber_id: barber, service_id: w.short.id, start_time: start.toISOString() });
      expect(res.response.status, reason).toBe(409);
      const refused = problem(res);
      expect(refused.code).toBe('slot_unavailable');
      expect(refused.reason, `${start.toISOString()}`).toBe(reason);
    }
    const rows = await db.select().from(appointments).where(eq(appointments.clientId, other.user.id));
    expect(rows).toHaveLength(0);
  });

  it('rejects malformed input with 422 validation_failed naming the field — never a 500', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const good = { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 2, '10:00').toISOString() };
    // Bodies the document refuses go raw: the typed client would not let them be written.
    const bad: [Record<string, unknown>, string][] = [
      [{ ...good, start_time: 'tomorrow at ten' }, 'json.start_time'],
      [{ ...good, start_time: '2026-13-40T25:00:00Z' }, 'json.start_time'],
      [{ ...good, barber_id: 'not-a-uuid' }, 'json.barber_id'],
      [{ ...good, service_id: 42 }, 'json.service_id'],
      [{ ...good, notes: 'x'.repeat(501) }, 'json.notes'],
      [{ barber_id: good.barber_id, service_id: good.service_id }, 'json.start_time'],
      [{ ...good, barber_id: 'any' }, 'json.shop_id'],
    ];
    for (const [body, path] of bad) {
      const res = await book(w.client.token, body);
      expect(res.status, path).toBe(422);
      const refused = await problemOf(res);
      expect(refused.code, path).toBe('validation_failed');
      expect(refused.errors?.map((e) => e.path), JSON.stringify(refused)).toContain(path);
    }
    // A service this barber does not offer is a 422 naming service_id's cause.
    const notOffered = await bookAs(w.client.token, { ...good, service_id: crypto.randomUUID() });
    expect(notOffered.response.status).toBe(422);
    expect(problem(notOffered).reason).toBe('not_offered');
    // An unknown barber is a 404.
    const noBarber = await bookAs(w.client.token, { ...good, barber_id: crypto.randomUUID() });
    expect(noBarber.response.status).toBe(404);
    expect(problem(noBarber).code).toBe('not_found');
  });

  it('requires a signed-in caller', async () => {
    const res = await call('/api/v1/appointments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('limits a client to the policy’s number of upcoming bookings at a shop', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { max_future_bookings: 2 } });
    const at = (h: string) => ({ barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 2, h).toISOString() });
    expect((await bookAs(w.client.token, at('10:00'))).response.status).toBe(201);
    expect((await bookAs(w.client.token, at('11:00'))).response.status).toBe(201);
    const third = await bookAs(w.client.token, at('12:00'));
    expect(third.response.status).toBe(409);
    expect(problem(third).reason).toBe('booking_limit');
    // The refusal moved nothing: the next booking at this barber is still one round trip.
    const other = await newClient(db);
    const next = await bookAs(other.token, at('13:00'));
    expect(next.response.status).toBe(201);
    expect(neonRequests(next.response)).toBe(1);
  });

  it('same Idempotency-Key + same body → the same appointment; a different body → 422', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const body = { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 2, '13:00').toISOString() };
    const key = `k-${crypto.randomUUID()}`;
    const a = await bookAs(w.client.token, body, key);
    const b = await bookAs(w.client.token, body, key);
    expect(a.response.status).toBe(201);
    expect(b.response.status).toBe(201);
    expect(ok(b).id).toBe(ok(a).id);
    const rows = await db.select().from(appointments).where(eq(appointments.clientId, w.client.user.id));
    expect(rows).toHaveLength(1);
    const changed = await bookAs(w.client.token, { ...body, start_time: localInstant(w.timezone, 2, '14:00').toISOString() }, key);
    expect(changed.response.status).toBe(422);
    expect(problem(changed).code).toBe('idempotency_conflict');
  });

  it('staff book for a client by e-mail (created if new), by client id and by phone; others may not', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const email = `walkin-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const byEmail = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '09:00').toISOString(),
      client: { email, first_name: 'Walk', last_name: 'In', phone: '+1 212 555 0100' },
    });
    expect(byEmail.response.status).toBe(201);
    const created = ok(byEmail);
    expect(created.source).toBe('staff');
    const byId = await bookAs(w.owner.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '09:30').toISOString(),
      client_id: created.client_id,
      source: 'walk_in',
    });
    expect(byId.response.status).toBe(201);
    expect(ok(byId).source).toBe('walk_in');

    // A phone booking for the same client: found by the full number (only its last digits are plain).
    const byPhone = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '10:00').toISOString(),
      client: { phone: '(212) 555-0100' },
    });
    expect(byPhone.response.status).toBe(201);
    expect(ok(byPhone).client_id).toBe(created.client_id);
    // Same last four digits, different number: not that client, and no first name to create one.
    const unknown = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '11:00').toISOString(),
      client: { phone: '+1 646 555 0100' },
    });
    expect(unknown.response.status).toBe(422);
    expect(problem(unknown).errors?.[0]?.path).toBe('json.client.first_name');
    // A non-staff caller cannot use that 422 to learn which numbers the shop knows.
    const probe = await bookAs(w.client.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '11:00').toISOString(),
      client: { phone: '+1 646 555 0100' },
    });
    expect(probe.response.status).toBe(403);
    // First name + phone alone: a new client with no e-mail.
    const phoneOnly = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '11:00').toISOString(),
      client: { first_name: 'Rosa', phone: '+1 646 555 0100' },
    });
    expect(phoneOnly.response.status).toBe(201);
    const phoneClient = ok(phoneOnly).client_id;
    expect(phoneClient).not.toBe(created.client_id);
    const [rosa] = await db.select().from(users).where(eq(users.id, phoneClient));
    expect(rosa!.email).toBeNull();
    expect(rosa!.firstName).toBe('Rosa');
    expect(rosa!.phoneLast4).toBe('0100');
    // The same number again finds Rosa rather than creating a second client.
    const again = await bookAs(w.owner.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '12:00').toISOString(),
      client: { first_name: 'Rosa', phone: '646-555-0100' },
    });
    expect(again.response.status).toBe(201);
    expect(ok(again).client_id).toBe(phoneClient);
    // A number no text can reach is refused for a new client.
    const short = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '12:30').toISOString(),
      client: { first_name: 'Tom', phone: '55 0199' },
    });
    expect(short.response.status).toBe(422);
    expect(problem(short).errors?.[0]?.path).toBe('json.client.phone');
    // A last name without a first name is refused by the body schema.
    const noFirst = await bookAs(w.barber.token, {
      barber_id: w.barber.barber.id,
      shop_id: w.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '12:30').toISOString(),
      client: { last_name: 'Only', phone: '+1 718 555 0142' },
    });
    expect(noFirst.response.status).toBe(422);

    // A client may not book for someone else, and a barber of another shop gets nowhere.
    const stranger = await createBookingWorld(db);
    for (const token of [w.client.token, stranger.barber.token]) {
      const res = await bookAs(token, {
        barber_id: w.barber.barber.id,
        shop_id: w.shop.id,
        service_id: w.short.id,
        start_time: localInstant(w.timezone, 2, '10:30').toISOString(),
        client_id: created.client_id,
      });
      expect(res.response.status).toBe(403);
    }
    // Staff of another shop naming this shop's barber under their own shop id: not found.
    const crossShop = await bookAs(stranger.owner.token, {
      barber_id: w.barber.barber.id,
      shop_id: stranger.shop.id,
      service_id: w.short.id,
      start_time: localInstant(w.timezone, 2, '11:30').toISOString(),
      client: { email: `x-${crypto.randomUUID().slice(0, 6)}@example.test`, first_name: 'X' },
    });
    expect(crossShop.response.status).toBe(404);
  });

  it('100 concurrent bookings at overlapping starts with different lengths → exactly one 201, the rest 409, no overlap in the database', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const base = localInstant(w.timezone, 3, '10:00').getTime();
    const clients = await Promise.all(Array.from({ length: 100 }, () => newClient(db)));
    const results = await Promise.all(
      clients.map((c, i) =>
        bookAs(c.token, {
          barber_id: w.barber.barber.id,
          service_id: Math.floor(i / 2) % 2 === 0 ? w.short.id : w.long.id,
          // Starts 10:00 and 10:15, 30 or 60 minutes: every pair of requests overlaps.
          start_time: new Date(base + (i % 2) * 15 * 60_000).toISOString(),
        }).then((r) => ({ status: r.response.status, neon: neonRequests(r.response), code: r.response.status === 409 ? problem(r).code : undefined })),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    for (const r of results.filter((x) => x.status === 409)) expect(r.code).toBe('slot_unavailable');
    // The object turned the losers away on its own snapshot, under its lock: not one of them
    // reached Postgres (a race decided by the constraint alone would cost each a statement).
    expect(results.filter((x) => x.status === 409).reduce((n, r) => n + r.neon, 0)).toBe(0);
    const active = await db
      .select()
      .from(appointments)
      .where(and(eq(appointments.barberId, w.barber.barber.id), inArray(appointments.status, ['held', 'pending_payment', 'confirmed'])));
    expect(active).toHaveLength(1);
  });

  it('with the object bypassed, the exclusion constraint alone refuses overlapping active rows', async () => {
    // Racing inserts that each wait on another's uncommitted row form wait cycles, and real
    // Postgres breaks them one victim per deadlock_timeout (1 s): ten in flight can take ~9 s,
    // past the usual 8 s deadline. That cost is why bookings queue in the barber's object; here
    // the constraint is on its own, so it gets the time it needs.
    const db = testDb(30_000);
    const w = await createBookingWorld(db);
    const ids = { shopId: w.shop.id, barberId: w.barber.barber.id, clientId: w.client.user.id, serviceId: w.short.id };
    const start = localInstant(w.timezone, 6, '10:00');
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => db.insert(appointments).values(buildAppointment(ids, { startTime: new Date(start.getTime() + (i % 2) * 15 * 60_000) }))),
    );
    // What each attempt met, for the failure message: 'ok', a SQLSTATE, or the error's text.
    const outcomes = attempts.map((a) => (a.status === 'fulfilled' ? 'ok' : refusal(a.reason)));
    // Postgres refuses a loser with 23P01 once the winner commits, or — when two inserters each
    // wait on the other's uncommitted row — picks one as the deadlock victim (40P01). Either way
    // it is Postgres saying no; anything else (a timeout, a lost answer) is not what this tests.
    for (const o of outcomes) expect(o, JSON.stringify(outcomes)).toMatch(/^(ok|23P01 appointments_no_overlap|40P01)$/);
    expect(outcomes.filter((o) => o === 'ok'), JSON.stringify(outcomes)).toHaveLength(1);
    const rows = await db.select({ id: appointments.id }).from(appointments).where(eq(appointments.barberId, w.barber.barber.id));
    expect(rows).toHaveLength(1);
    // And the API, which did not see that row, still answers 409 (from the constraint), not 500.
    const res = await bookAs(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: start.toISOString() });
    expect(res.response.status).toBe(409);
    expect(problem(res).reason).toBe('taken');
  }, 45_000);

  it('a booking Postgres rolls back as a deadlock victim is a retryable 503 with nothing written, and the retry books', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const barberId = w.barber.barber.id;
    // Postgres itself refuses this barber's inserts with 40P01, the way it picks a deadlock victim.
    const fn = `deadlock_${barberId.replace(/-/g, '')}`;
    await db.execute(sql.raw(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`));
    await db.execute(sql.raw(`CREATE TRIGGER ${fn} BEFORE INSERT ON appointments FOR EACH ROW WHEN (NEW.barber_id = '${barberId}') EXECUTE FUNCTION ${fn}()`));
    const start = localInstant(w.timezone, 6, '11:00');
    const body = { barber_id: barberId, service_id: w.short.id, start_time: start.toISOString() };
    try {
      const refused = await bookAs(w.client.token, body);
      expect(refused.response.status).toBe(503);
      expect(problem(refused).code).toBe('dependency_unavailable');
      // The object knew what happened (a rollback, nothing written), not just that a call failed.
      expect(problem(refused).detail).toMatch(/database could not take this write/);
      expect(refused.response.headers.get('retry-after')).toBe('1');
      expect(await db.select().from(appointments).where(eq(appointments.barberId, barberId))).toHaveLength(0);
    } finally {
      await db.execute(sql.raw(`DROP TRIGGER ${fn} ON appointments`));
      await db.execute(sql.raw(`DROP FUNCTION ${fn}()`));
    }
    const retried = await bookAs(w.client.token, body);
    expect(retried.response.status).toBe(201);
    expect(await db.select().from(appointments).where(eq(appointments.barberId, barberId))).toHaveLength(1);
  });

  it('is reachable only with a token of this run’s signing key', async () => {
    const res = await call('/api/v1/appointments', { method: 'POST', headers: { ...bearer('garbage'), 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(env.APP_ENV).toBe('test');
  });
});

/** A driver error as `SQLSTATE constraint`, or its text when Postgres did not answer. */
function refusal(err: unknown): string {
  const state = sqlState(err);
  if (!state) return String((err as { cause?: unknown }).cause ?? err).slice(0, 200);
  return state.constraint ? `${state.code} ${state.constraint}` : state.code;
}

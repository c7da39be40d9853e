/**
 * Data-model acceptance tests, run in NODE (not workerd) against:
 *   (a) an in-memory PGlite (PostgreSQL 18 in WASM) with btree_gist — always;
 *   (b) a real PostgreSQL when TEST_DATABASE_URL is set — a fresh database is created and
 *       dropped afterwards (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres).
 * Migrations are applied exactly as shipped: journal order, split on statement breakpoints.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as schema from './schema';
import type { AnyDb, Db } from './queries/types';
import {
  appointmentForPartyQuery,
  appointmentListQuery,
  clientPhoneSearchQuery,
  clientRecordQueries,
  clientTextSearchQuery,
  getShopBySlug,
  claimDelivery,
  markDelivered,
  markFailed,
  listActiveShops,
  searchClients,
  shopBySlugQuery,
  timeOffPageQuery,
  toPrefixTsQuery,
} from './queries';
import {
  buildAppointment,
  buildBarber,
  buildMembership,
  buildService,
  buildShop,
  buildUser,
  clientEmail,
  DEMO_CLIENTS,
  seedDemo,
} from './seed';
import { decryptField, generateFieldKey, normalizePhone } from '../lib/crypto';
import { localDayRange } from '../domain/time';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as {
  entries: { idx: number; tag: string }[];
};
const MIGRATION_COUNT = journal.entries.length;

/** The migration statements in journal order, split like drizzle's migrator does. */
function migrationStatements(): string[] {
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .flatMap((e) => readFileSync(join(MIGRATIONS, `${e.tag}.sql`), 'utf8').split('--> statement-breakpoint'))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

type Row = Record<string, unknown>;

interface Backend {
  name: string;
  /** one connection, so session settings (enable_seqscan) stick */
  query(text: string, params?: unknown[]): Promise<Row[]>;
  exec(text: string): Promise<void>;
  db: AnyDb;
  close(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const client = new PGlite({ extensions: { btree_gist } });
  await client.waitReady;
  return {
    name: 'pglite',
    query: async (text, params) => (await client.query<Row>(text, params)).rows,
    exec: async (text) => {
      await client.exec(text);
    },
    db: drizzlePglite(client, { schema }) as unknown as AnyDb,
    close: () => client.close(),
  };
}

/** Creates a throwaway database `bb_schema_<random>` and drops it on close. */
async function postgresBackend(adminUrl: string): Promise<Backend> {
  const name = `bb_schema_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  // DROP … WITH (FORCE) may terminate a connection that is still closing; that is expected.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    query: async (text, params) => (await pool.query<Row>(text, params as unknown[])).rows,
    exec: async (text) => {
      await pool.query(text);
    },
    db: drizzlePg(pool, { schema }) as unknown as AnyDb,
    close: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** Drizzle wraps driver errors (DrizzleQueryError.cause); dig down to the Postgres error. */
function pgError(e: unknown): PgErrorLike {
  let cur = e as PgErrorLike | undefined;
  while (cur && !cur.code && cur.cause) cur = cur.cause as PgErrorLike;
  return cur ?? {};
}

async function expectPgError(p: Promise<unknown>, code: string, constraint?: string) {
  const err = await p.then(
    () => {
      throw new Error(`expected SQLSTATE ${code}${constraint ? ` (${constraint})` : ''}, but it succeeded`);
    },
    (e: unknown) => pgError(e),
  );
  expect({ code: err.code, constraint: err.constraint }).toEqual({
    code,
    constraint: constraint ?? err.constraint,
  });
}

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const backends: [string, () => Promise<Backend>][] = [['pglite', pgliteBackend]];
if (TEST_DATABASE_URL) backends.push(['postgres', () => postgresBackend(TEST_DATABASE_URL)]);
else console.warn('[schema.node.test] TEST_DATABASE_URL not set: real-PostgreSQL tests SKIPPED (PGlite only).');

describe.skipIf(TEST_DATABASE_URL)('postgres (TEST_DATABASE_URL unset)', () => {
  it.skip('set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run on real PostgreSQL', () => {});
});

it('Db (neon-http) is accepted wherever queries take AnyDb', () => {
  expectTypeOf<Db>().toExtend<AnyDb>();
});

it('toPrefixTsQuery only ever emits letters, digits and prefix operators', () => {
  expect(toPrefixTsQuery('  Jo ')).toBe('jo:*');
  expect(toPrefixTsQuery("O'Brien & | ! :* john.doe@ex")).toBe('o:* & brien:* & john:* & doe:* & ex:*');
  expect(toPrefixTsQuery('Zoë')).toBe('zoë:*');
  expect(toPrefixTsQuery(' ()!& ')).toBeNull();
});

describe.each(backends)('%s', (_name, create) => {
  let b: Backend;
  const KEYRING = `k1:${generateFieldKey()}`;
  // A fixed "now" keeps the demo world deterministic (Wednesday, shop hours open).
  const NOW = new Date('2026-11-25T15:00:00Z');

  // Fixture ids shared by the constraint tests.
  const f = {} as {
    shopId: string;
    ownerId: string;
    clientId: string;
    barberUserId: string;
    barberId: string;
    barber2Id: string;
    serviceId: string;
    appointmentId: string;
  };

  beforeAll(async () => {
    b = await create();
    for (const stmt of migrationStatements()) await b.exec(stmt);

    const db = b.db;
    const [shop] = await db.insert(schema.shops).values(buildShop({ slug: 'fixture-shop' })).returning();
    const [owner, client, barberUser, barberUser2] = await db
      .insert(schema.users)
      .values([buildUser(), buildUser({ firstName: 'Johanna', lastName: 'Fixture' }), buildUser(), buildUser()])
      .returning();
    f.shopId = shop!.id;
    f.ownerId = owner!.id;
    f.clientId = client!.id;
    f.barberUserId = barberUser!.id;
    const [barber, barber2] = await db
      .insert(schema.barbers)
      .values([
        buildBarber({ userId: barberUser!.id, shopId: f.shopId }),
        buildBarber({ userId: barberUser2!.id, shopId: f.shopId }),
      ])
      .returning();
    f.barberId = barber!.id;
    f.barber2Id = barber2!.id;
    const [service] = await db.insert(schema.services).values(buildService({ shopId: f.shopId })).returning();
    f.serviceId = service!.id;
    await db.insert(schema.memberships).values(buildMembership({ userId: f.clientId, shopId: f.shopId }));
    const [appt] = await db
      .insert(schema.appointments)
      .values(
        buildAppointment(
          { shopId: f.shopId, barberId: f.barberId, clientId: f.clientId, serviceId: f.serviceId },
          { startTime: new Date('2031-01-01T10:00:00Z') },
        ),
      )
      .returning();
    f.appointmentId = appt!.id;
  });

  afterAll(async () => {
    await b?.close();
  });

  // ------------------------------------------------------------------------------------------
  describe('migrations', () => {
    it('create the btree_gist extension, every table and the exclusion constraints', async () => {
      const ext = await b.query(`SELECT extname FROM pg_extension WHERE extname = 'btree_gist'`);
      expect(ext).toHaveLength(1);
      const tables = (
        await b.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
      ).map((r) => r.tablename);
      expect(tables).toEqual(
        [
          'appointments', 'audit_log', 'auth_tokens', 'barber_services', 'barbers', 'calendar_connections', 'calendar_events',
          'client_notes', 'dev_outbox', 'idempotency_keys', 'invitations', 'manage_link_uses', 'memberships', 'notifications', 'payments',
          'refresh_tokens', 'services', 'shops', 'sms_inbound', 'stripe_customers', 'stripe_events', 'time_off', 'users', 'waitlist_entries',
          'working_hours',
        ].sort(),
      );
      const excl = await b.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'x' ORDER BY 1`,
      );
      expect(excl.map((r) => r.conname)).toEqual(['appointments_no_overlap', 'working_hours_no_overlap']);
      // The constraint's WHERE must list exactly the app's active states.
      const def = String(excl[0]!.def);
      for (const s of schema.ACTIVE_APPOINTMENT_STATUSES) expect(def).toContain(`'${s}'`);
      for (const s of ['completed', 'cancelled', 'no_show']) expect(def).not.toContain(`'${s}'`);
    });

    it("apply through drizzle's migrator on a fresh database and re-run as a no-op", async () => {
      if (b.name === 'pglite') {
        const fresh = new PGlite({ extensions: { btree_gist } });
        const db = drizzlePglite(fresh);
        await migratePglite(db, { migrationsFolder: MIGRATIONS });
        await migratePglite(db, { migrationsFolder: MIGRATIONS });
        const applied = await fresh.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
        expect(applied.rows[0]).toEqual({ n: MIGRATION_COUNT });
        await fresh.close();
      } else {
        const fresh = await postgresBackend(TEST_DATABASE_URL as string);
        try {
          const db = fresh.db as unknown as Parameters<typeof migratePg>[0];
          await migratePg(db, { migrationsFolder: MIGRATIONS });
          await migratePg(db, { migrationsFolder: MIGRATIONS });
          expect(await fresh.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).toEqual([{ n: MIGRATION_COUNT }]);
        } finally {
          await fresh.close();
        }
      }
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('appointments_no_overlap (exclusion constraint)', () => {
    const T = (iso: string) => new Date(`2032-03-01T${iso}:00Z`);
    const insert = (barberId: string, start: string, end: string, status: schema.AppointmentStatus) =>
      b.query(
        `INSERT INTO appointments (shop_id, barber_id, client_id, service_id, start_time, end_time, status,
           hold_expires_at, price_cents, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 3000, 'USD') RETURNING id`,
        [f.shopId, barberId, f.clientId, f.serviceId, T(start), T(end), status, status === 'held' ? T('00:00') : null],
      );

    it('rejects an overlapping active appointment for the same barber with 23P01', async () => {
      await insert(f.barberId, '10:00', '10:30', 'confirmed');
      await expectPgError(insert(f.barberId, '10:15', '10:45', 'confirmed'), '23P01', 'appointments_no_overlap');
      await expectPgError(insert(f.barberId, '09:45', '10:05', 'held'), '23P01', 'appointments_no_overlap');
      await expectPgError(insert(f.barberId, '10:00', '10:30', 'pending_payment'), '23P01', 'appointments_no_overlap');
      await expectPgError(insert(f.barberId, '09:00', '11:00', 'confirmed'), '23P01', 'appointments_no_overlap');
    });

    it('lets inactive appointments overlap anything', async () => {
      for (const status of ['cancelled', 'completed', 'no_show'] as const) {
        expect(await insert(f.barberId, '10:10', '10:40', status)).toHaveLength(1);
      }
    });

    it('allows back-to-back bookings (half-open ranges) and other barbers at the same time', async () => {
      expect(await insert(f.barberId, '10:30', '11:00', 'confirmed')).toHaveLength(1);
      expect(await insert(f.barberId, '09:30', '10:00', 'held')).toHaveLength(1);
      expect(await insert(f.barber2Id, '10:00', '10:30', 'confirmed')).toHaveLength(1);
    });

    it('re-activating a cancelled appointment into a taken slot is rejected', async () => {
      const [row] = await insert(f.barberId, '10:05', '10:25', 'cancelled');
      await expectPgError(
        b.query(`UPDATE appointments SET status = 'confirmed' WHERE id = $1`, [row!.id]),
        '23P01',
        'appointments_no_overlap',
      );
    });

    it('surfaces 23P01 through drizzle too (what the API maps to 409 slot_unavailable)', async () => {
      const ids = { shopId: f.shopId, barberId: f.barberId, clientId: f.clientId, serviceId: f.serviceId };
      await expectPgError(
        b.db.insert(schema.appointments).values(buildAppointment(ids, { startTime: T('10:20') })).execute(),
        '23P01',
        'appointments_no_overlap',
      );
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('CHECK constraints reject bad rows (23514)', () => {
    const shop = `INSERT INTO shops (slug, name, timezone, currency) VALUES ($1, 'X', $2, $3)`;
    const user = `INSERT INTO users (email, first_name, phone_enc, phone_last4) VALUES ($1, 'X', $2, $3)`;
    const service = `INSERT INTO services (shop_id, name, price_cents, currency, duration_min) VALUES ($1, $2, $3, $4, $5)`;
    const bs = `INSERT INTO barber_services (barber_id, service_id, price_cents, duration_min) VALUES ($1, $2, $3, $4)`;
    const wh = `INSERT INTO working_hours (barber_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)`;
    const appt = `INSERT INTO appointments (shop_id, barber_id, client_id, service_id, start_time, end_time, status,
      hold_expires_at, price_cents, currency, deposit_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;
    const pay = `INSERT INTO payments (appointment_id, amount_cents, currency, kind) VALUES ($1, $2, $3, 'deposit')`;
    const notif = `INSERT INTO notifications (dedupe_key, channel, recipient, template, status, attempts)
      VALUES (gen_random_uuid()::text, $1, 'x', 't', $2, $3)`;
    const wl = `INSERT INTO waitlist_entries (shop_id, client_id, service_id, window_start, window_end, status)
      VALUES ($1, $2, $3, $4, $5, $6)`;
    const t0 = new Date('2033-01-01T10:00:00Z');
    const t1 = new Date('2033-01-01T11:00:00Z');
    const apptArgs = (o: { start?: Date; end?: Date; status?: string; hold?: Date | null; price?: number; currency?: string; deposit?: number }) => [
      f.shopId, f.barberId, f.clientId, f.serviceId, o.start ?? t0, o.end ?? t1, o.status ?? 'completed',
      o.hold ?? null, o.price ?? 3000, o.currency ?? 'USD', o.deposit ?? 0,
    ];

    const cases: [constraint: string, sql: () => string, params: () => unknown[]][] = [
      ['shops_slug_format_check', () => shop, () => ['Bad Slug', 'UTC', 'USD']],
      ['shops_currency_check', () => shop, () => ['ok-slug-1', 'UTC', 'usd']],
      ['shops_timezone_check', () => shop, () => ['ok-slug-2', '', 'USD']],
      ['users_email_format_check', () => user, () => ['not-an-email', null, null]],
      ['users_phone_last4_check', () => user, () => ['p1@example.test', 'v1.k1.a.b', '12345']],
      ['users_phone_pair_check', () => user, () => ['p2@example.test', 'v1.k1.a.b', null]],
      ['client_notes_body_check', () => `INSERT INTO client_notes (shop_id, client_id, body) VALUES ($1, $2, '')`, () => [f.shopId, f.clientId]],
      ['services_price_check', () => service, () => [f.shopId, 'neg', -1, 'USD', 30]],
      ['services_duration_check', () => service, () => [f.shopId, 'zero', 1000, 'USD', 0]],
      ['services_duration_check', () => service, () => [f.shopId, 'odd', 1000, 'USD', 32]],
      ['services_currency_check', () => service, () => [f.shopId, 'cur', 1000, 'us1', 30]],
      ['barber_services_price_check', () => bs, () => [f.barberId, f.serviceId, -5, null]],
      ['barber_services_duration_check', () => bs, () => [f.barberId, f.serviceId, null, 7]],
      ['working_hours_weekday_check', () => wh, () => [f.barberId, 7, 540, 600]],
      ['working_hours_start_minute_check', () => wh, () => [f.barberId, 1, -1, 60]],
      ['working_hours_end_minute_check', () => wh, () => [f.barberId, 1, 600, 1500]],
      ['working_hours_range_check', () => wh, () => [f.barberId, 1, 600, 600]],
      ['time_off_range_check', () => `INSERT INTO time_off (barber_id, starts_at, ends_at) VALUES ($1, $2, $3)`, () => [f.barberId, t1, t0]],
      ['appointments_time_range_check', () => appt, () => apptArgs({ start: t1, end: t0 })],
      ['appointments_time_range_check', () => appt, () => apptArgs({ start: t0, end: t0 })],
      ['appointments_price_check', () => appt, () => apptArgs({ price: -1 })],
      ['appointments_deposit_check', () => appt, () => apptArgs({ price: 3000, deposit: 3001 })],
      ['appointments_deposit_check', () => appt, () => apptArgs({ deposit: -1 })],
      ['appointments_currency_check', () => appt, () => apptArgs({ currency: 'usd' })],
      ['appointments_hold_expiry_check', () => appt, () => apptArgs({ status: 'held', hold: null })],
      ['waitlist_entries_window_check', () => wl, () => [f.shopId, f.clientId, f.serviceId, t1, t0, 'waiting']],
      ['waitlist_entries_status_check', () => wl, () => [f.shopId, f.clientId, f.serviceId, t0, t1, 'maybe']],
      ['payments_amount_check', () => pay, () => [f.appointmentId, -1, 'USD']],
      ['payments_currency_check', () => pay, () => [f.appointmentId, 100, 'EU']],
      ['notifications_channel_check', () => notif, () => ['pigeon', 'queued', 0]],
      ['notifications_status_check', () => notif, () => ['email', 'lost', 0]],
      ['notifications_attempts_check', () => notif, () => ['email', 'queued', -1]],
      ['auth_tokens_kind_check', () => `INSERT INTO auth_tokens (user_id, kind, token_hash, expires_at) VALUES ($1, 'magic', 'h', now())`, () => [f.clientId]],
      ['calendar_connections_provider_check', () => `INSERT INTO calendar_connections (barber_id, provider, access_token_enc, key_id) VALUES ($1, 'outlook', 'x', 'k1')`, () => [f.barberId]],
    ];

    it.each(cases)('%s', async (constraint, text, params) => {
      await expectPgError(b.query(text(), params()), '23514', constraint);
    });

    it('enum columns reject unknown values (22P02)', async () => {
      await expectPgError(b.query(appt, apptArgs({ status: 'maybe' })), '22P02');
      await expectPgError(
        b.query(`INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $2, 'janitor')`, [f.clientId, f.shopId]),
        '22P02',
      );
    });

    it('working_hours_no_overlap rejects overlapping weekly rules (23P01) but allows breaks', async () => {
      await b.query(wh, [f.barber2Id, 2, 540, 720]);
      await b.query(wh, [f.barber2Id, 2, 780, 1080]); // after a lunch break
      await b.query(wh, [f.barber2Id, 3, 600, 700]); // another weekday
      await expectPgError(b.query(wh, [f.barber2Id, 2, 700, 800]), '23P01', 'working_hours_no_overlap');
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('UNIQUE constraints reject duplicates (23505)', () => {
    const rnd = () => randomUUID();
    const cases: [constraint: string, sql: string, params: () => unknown[]][] = [
      ['shops_slug_unique', `INSERT INTO shops (slug, name, timezone, currency) VALUES ($1, 'X', 'UTC', 'USD')`, () => ['dup-slug']],
      ['users_email_lower_unique', `INSERT INTO users (email, first_name) VALUES ($1, 'X')`, () => ['Dup.Case@Example.test']],
      ['memberships_user_shop_role_unique', `INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $2, 'owner')`, () => [f.ownerId, f.shopId]],
      ['invitations_token_hash_unique', `INSERT INTO invitations (shop_id, email, role, token_hash, expires_at) VALUES ($1, $2, 'barber', 'inv-hash', now())`, () => [f.shopId, `${rnd()}@example.test`]],
      ['barbers_user_shop_unique', `INSERT INTO barbers (user_id, shop_id, display_name) VALUES ($1, $2, 'Again')`, () => [f.barberUserId, f.shopId]],
      ['services_shop_name_unique', `INSERT INTO services (shop_id, name, price_cents, currency, duration_min) VALUES ($1, 'Same Name', 100, 'USD', 30)`, () => [f.shopId]],
      ['barber_services_barber_service_unique', `INSERT INTO barber_services (barber_id, service_id) VALUES ($1, $2)`, () => [f.barberId, f.serviceId]],
      ['payments_stripe_payment_intent_id_unique', `INSERT INTO payments (appointment_id, stripe_payment_intent_id, amount_cents, currency, kind) VALUES ($1, 'pi_dup', 100, 'USD', 'deposit')`, () => [f.appointmentId]],
      // A refund names the charge it returns (payments_refund_of_check).
      ['payments_stripe_refund_id_unique', `INSERT INTO payments (appointment_id, stripe_refund_id, amount_cents, currency, kind, refund_of) SELECT $1, 're_dup', 100, 'USD', 'refund', (SELECT id FROM payments WHERE stripe_payment_intent_id = 'pi_dup')`, () => [f.appointmentId]],
      ['stripe_events_event_id_unique', `INSERT INTO stripe_events (event_id, type, payload) VALUES ('evt_dup', 't', '{}')`, () => []],
      ['notifications_dedupe_key_unique', `INSERT INTO notifications (dedupe_key, channel, recipient, template) VALUES ('dup-key', 'email', 'x', 't')`, () => []],
      ['refresh_tokens_token_hash_unique', `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), 'rt-hash', now())`, () => [f.clientId]],
      // user_id NULL twice still collides: NULLS NOT DISTINCT.
      ['idempotency_keys_key_user_scope_unique', `INSERT INTO idempotency_keys (key, user_id, scope, request_hash, expires_at) VALUES ('idem', NULL, 'POST /x', 'h', now())`, () => []],
      ['auth_tokens_token_hash_unique', `INSERT INTO auth_tokens (user_id, kind, token_hash, expires_at) VALUES ($1, 'email_verify', 'at-hash', now())`, () => [f.clientId]],
      ['calendar_connections_barber_provider_unique', `INSERT INTO calendar_connections (barber_id, provider, access_token_enc, key_id) VALUES ($1, 'google', 'x', 'k1')`, () => [f.barberId]],
    ];

    it.each(cases)('%s', async (constraint, text, params) => {
      // The first row goes in (the barber fixture already exists; the e-mail differs only in case).
      if (constraint === 'users_email_lower_unique') await b.query(text, ['dup.case@example.TEST']);
      else if (constraint !== 'barbers_user_shop_unique') await b.query(text, params());
      await expectPgError(b.query(text, params()), '23505', constraint);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('foreign keys (23503) and deliberate ON DELETE', () => {
    it('rejects references to missing rows', async () => {
      await expectPgError(
        b.query(
          `INSERT INTO appointments (shop_id, barber_id, client_id, service_id, start_time, end_time, status, price_cents, currency)
           VALUES ($1, $2, $3, $4, now(), now() + interval '30 minutes', 'completed', 0, 'USD')`,
          [f.shopId, randomUUID(), f.clientId, f.serviceId],
        ),
        '23503',
        'appointments_barber_id_barbers_id_fk',
      );
      await expectPgError(
        b.query(`INSERT INTO payments (appointment_id, amount_cents, currency, kind) VALUES ($1, 1, 'USD', 'fee')`, [randomUUID()]),
        '23503',
        'payments_appointment_id_appointments_id_fk',
      );
    });

    // NO ACTION (not RESTRICT, whose SQLSTATE changed to 23001 in PG 18) → 23503 everywhere.
    it('blocked: clients, barbers, shops and appointments with history cannot be deleted', async () => {
      await expectPgError(b.query(`DELETE FROM users WHERE id = $1`, [f.clientId]), '23503', 'appointments_client_id_users_id_fk');
      await expectPgError(b.query(`DELETE FROM barbers WHERE id = $1`, [f.barberId]), '23503', 'appointments_barber_id_barbers_id_fk');
      await expectPgError(b.query(`DELETE FROM shops WHERE id = $1`, [f.shopId]), '23503', 'appointments_shop_id_shops_id_fk');
      await expectPgError(
        b.query(`DELETE FROM appointments WHERE id = $1`, [f.appointmentId]),
        '23503',
        'payments_appointment_id_appointments_id_fk',
      );
    });

    it('CASCADE: deleting a barber without history removes their hours, offerings and time off', async () => {
      const [u] = await b.db.insert(schema.users).values(buildUser()).returning();
      const [barber] = await b.db.insert(schema.barbers).values(buildBarber({ userId: u!.id, shopId: f.shopId })).returning();
      await b.query(`INSERT INTO working_hours (barber_id, weekday, start_minute, end_minute) VALUES ($1, 1, 540, 600)`, [barber!.id]);
      await b.query(`INSERT INTO barber_services (barber_id, service_id) VALUES ($1, $2)`, [barber!.id, f.serviceId]);
      await b.query(`INSERT INTO time_off (barber_id, starts_at, ends_at) VALUES ($1, now(), now() + interval '1 hour')`, [barber!.id]);
      await b.query(`DELETE FROM barbers WHERE id = $1`, [barber!.id]);
      for (const t of ['working_hours', 'barber_services', 'time_off']) {
        expect(await b.query(`SELECT count(*)::int AS n FROM ${t} WHERE barber_id = $1`, [barber!.id])).toEqual([{ n: 0 }]);
      }
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('demo seed, queries and plans', () => {
    const countAll = async () => {
      const out: Record<string, number> = {};
      for (const t of ['shops', 'users', 'memberships', 'barbers', 'services', 'barber_services', 'working_hours', 'time_off', 'appointments', 'payments']) {
        const [r] = await b.query(`SELECT count(*)::int AS n FROM ${t}`);
        out[t] = r!.n as number;
      }
      return out;
    };
    let firstCounts: Record<string, number>;

    beforeAll(async () => {
      await seedDemo(b.db, { now: NOW, keyring: KEYRING, passwordHash: 'demo-hash' });
      firstCounts = await countAll();
    });

    it('running seedDemo again creates nothing new (same now, and a later now)', async () => {
      const again = await seedDemo(b.db, { now: NOW, keyring: KEYRING, passwordHash: 'demo-hash' });
      expect(again.appointmentsInserted).toBe(0);
      expect(await countAll()).toEqual(firstCounts);
      await seedDemo(b.db, { now: new Date(NOW.getTime() + 3 * 86_400_000), keyring: KEYRING, passwordHash: 'demo-hash' });
      expect(await countAll()).toEqual(firstCounts);
    });

    it('builds the promised world', async () => {
      const shops = await b.query(`SELECT slug, timezone, currency FROM shops WHERE slug IN ('fade-street', 'kings-cross-cuts') ORDER BY slug`);
      expect(shops).toEqual([
        { slug: 'fade-street', timezone: 'America/New_York', currency: 'USD' },
        { slug: 'kings-cross-cuts', timezone: 'Europe/London', currency: 'GBP' },
      ]);
      const demo = `(SELECT id FROM shops WHERE slug IN ('fade-street', 'kings-cross-cuts'))`;
      const [counts] = await b.query(`SELECT
          (SELECT count(*)::int FROM barbers WHERE shop_id IN ${demo}) AS barbers,
          (SELECT count(*)::int FROM services WHERE shop_id IN ${demo}) AS services,
          (SELECT count(*)::int FROM memberships WHERE shop_id IN ${demo} AND role = 'owner') AS owners,
          (SELECT count(DISTINCT user_id)::int FROM memberships WHERE shop_id IN ${demo} AND role = 'client') AS clients,
          (SELECT count(*)::int FROM barber_services WHERE price_cents IS NOT NULL OR duration_min IS NOT NULL) AS overrides`);
      expect(counts).toEqual({ barbers: 6, services: 10, owners: 2, clients: DEMO_CLIENTS.length, overrides: 7 });
      const statuses = (
        await b.query(`SELECT status::text AS s, count(*)::int AS n FROM appointments WHERE shop_id IN ${demo} GROUP BY 1`)
      ).reduce<Record<string, number>>((acc, r) => ({ ...acc, [String(r.s)]: Number(r.n) }), {});
      expect(statuses.held).toBe(2); // one per shop
      for (const s of ['completed', 'no_show', 'cancelled', 'confirmed']) expect(statuses[s]).toBeGreaterThan(0);
      const [range] = await b.query(
        `SELECT min(start_time) < $1::timestamptz - interval '6 days' AS past, max(start_time) > $1::timestamptz + interval '6 days' AS future
         FROM appointments WHERE shop_id IN ${demo}`,
        [NOW],
      );
      expect(range).toEqual({ past: true, future: true });
      const [paid] = await b.query(`SELECT count(*)::int AS n FROM payments p JOIN appointments a ON a.id = p.appointment_id WHERE a.shop_id IN ${demo}`);
      expect(paid!.n).toBeGreaterThan(20);
      // Local working hours hold in each zone: every Fade Street booking is 09:00-20:00 New York time.
      const [outside] = await b.query(
        `SELECT count(*)::int AS n FROM appointments a JOIN shops s ON s.id = a.shop_id
         WHERE s.slug IN ('fade-street', 'kings-cross-cuts')
           AND ((a.start_time AT TIME ZONE s.timezone)::time < '08:30' OR (a.end_time AT TIME ZONE s.timezone)::time > '20:00')`,
      );
      expect(outside).toEqual({ n: 0 });
    });

    it('the encrypted phone column never contains the plaintext, and decrypts back', async () => {
      for (const [i, [, , phone]] of DEMO_CLIENTS.entries()) {
        const [row] = await b.query(`SELECT phone_enc, phone_last4 FROM users WHERE email = $1`, [clientEmail(i)]);
        const enc = String(row!.phone_enc);
        const digits = normalizePhone(phone);
        expect(enc.startsWith('v1.k1.')).toBe(true);
        expect(enc).not.toContain(digits);
        expect(enc).not.toContain(digits.slice(-7));
        expect(enc).not.toContain(phone);
        expect(row!.phone_last4).toBe(digits.slice(-4));
        expect(await decryptField(enc, KEYRING)).toBe(digits);
      }
      const [leak] = await b.query(
        `SELECT count(*)::int AS n FROM users WHERE phone_enc ~ '[0-9]{7,}' AND phone_enc !~ '^v1\\.'`,
      );
      expect(leak).toEqual({ n: 0 });
    });

    it('getShopBySlug returns active barbers with effective prices in one statement', async () => {
      const shop = await getShopBySlug(b.db, 'fade-street');
      expect(shop).not.toBeNull();
      expect(shop!.timezone).toBe('America/New_York');
      expect(shop!.barbers.map((x) => x.display_name)).toEqual(['Dani O.', 'Jay P.', 'Marcus H.']);
      expect(shop!.services).toHaveLength(5);
      const marcus = shop!.barbers.find((x) => x.display_name === 'Marcus H.')!;
      expect(marcus.services.find((s) => s.name === 'Skin Fade')).toMatchObject({ price_cents: 5000, duration_min: 45 });
      expect(marcus.services.find((s) => s.name === 'Classic Cut')).toMatchObject({ price_cents: 3500, duration_min: 30 });
      expect(marcus.services.some((s) => s.name === 'Kids Cut')).toBe(false);
      const jay = shop!.barbers.find((x) => x.display_name === 'Jay P.')!;
      expect(jay.services.find((s) => s.name === 'Cut & Beard')).toMatchObject({ price_cents: 5500, duration_min: 50 });
      expect(await getShopBySlug(b.db, 'no-such-shop')).toBeNull();
    });

    it('listActiveShops searches by name and pages with a cursor', async () => {
      const found = await listActiveShops(b.db, { q: 'cuts' });
      expect(found.data.map((s) => s.slug)).toEqual(['kings-cross-cuts']);
      const page1 = await listActiveShops(b.db, { limit: 1 });
      const page2 = await listActiveShops(b.db, { limit: 1, cursor: page1.nextCursor });
      expect(page1.nextCursor).not.toBeNull();
      expect(page2.data[0]!.name > page1.data[0]!.name).toBe(true);
      expect((await listActiveShops(b.db, { q: '100%_' })).data).toEqual([]);
    });

    it('searchClients: prefix full text, ranked, shop-scoped; phone by last digits', async () => {
      const fade = (await b.query(`SELECT id FROM shops WHERE slug = 'fade-street'`))[0]!.id as string;
      const kcc = (await b.query(`SELECT id FROM shops WHERE slug = 'kings-cross-cuts'`))[0]!.id as string;
      const jo = await searchClients(b.db, fade, 'jo');
      expect(jo.map((c) => c.email)).toEqual(['client1@example.test']); // Ava Johnson
      expect(await searchClients(b.db, kcc, 'jo')).toEqual([]); // not a client there
      expect((await searchClients(b.db, fade, 'client2@exam')).map((c) => c.lastName)).toEqual(['Williams']);
      expect((await searchClients(b.db, kcc, 'Olivia Sm')).map((c) => c.firstName)).toEqual(['Olivia']);
      expect((await searchClients(b.db, fade, '0101')).map((c) => c.firstName)).toEqual(['Ava']);
      expect((await searchClients(b.db, fade, '+1 212 555 0101')).map((c) => c.firstName)).toEqual(['Ava']);
      expect((await searchClients(b.db, fade, '03')).map((c) => c.firstName)).toEqual(['Mia']);
      const ranked = await searchClients(b.db, fade, 'example');
      expect(ranked.length).toBe(8);
      expect(await searchClients(b.db, fade, ' !! ')).toEqual([]);
    });

    it("appointment lists: a client's own, a barber's chair, the shop's local day, in start order", async () => {
      const [marcus] = await b.query(
        `SELECT br.id, br.shop_id FROM barbers br JOIN users u ON u.id = br.user_id WHERE u.email = 'marcus@fadestreet.test'`,
      );
      const shopId = marcus!.shop_id as string;
      const chair = await appointmentListQuery(b.db, { view: { shopId }, barberId: marcus!.id as string, date: '2026-11-25', limit: 100 }).execute();
      expect(chair.length).toBeGreaterThan(0);
      const day = localDayRange({ year: 2026, month: 11, day: 25 }, 'America/New_York');
      for (const r of chair) {
        expect(r.barberId).toBe(marcus!.id);
        expect(r.startTime.getTime()).toBeGreaterThanOrEqual(day.start.getTime());
        expect(r.startTime.getTime()).toBeLessThan(day.end.getTime());
      }
      expect(chair).toEqual([...chair].sort((x, y) => x.startTime.getTime() - y.startTime.getTime()));
      const [ava] = await b.query(`SELECT id FROM users WHERE email = 'client1@example.test'`);
      const own = await appointmentListQuery(b.db, { view: { client: ava!.id as string }, limit: 5 }).execute();
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((h) => h.clientId === ava!.id)).toBe(true);
    });

    it('claimDelivery lets one delivery send, once per dedupe key', async () => {
      const record = {
        dedupeKey: `reminder:24h:${randomUUID()}:email`,
        channel: 'email',
        recipient: 'a@example.test',
        template: 'reminder_24h',
        payload: { appointment_id: 'x' },
      };
      expect(await claimDelivery(b.db, record, 1)).toBe('claimed');
      // A concurrent redelivery while the first is sending must not send too.
      expect(await claimDelivery(b.db, record, 2)).toBe('in_flight');
      await markFailed(b.db, record.dedupeKey, 'smtp timeout');
      expect(await claimDelivery(b.db, record, 3)).toBe('claimed');
      await markDelivered(b.db, record.dedupeKey);
      expect(await claimDelivery(b.db, record, 4)).toBe('already_sent');
      const [row] = await b.query(`SELECT status, attempts, last_error, sent_at, claimed_at FROM notifications WHERE dedupe_key = '${record.dedupeKey}'`);
      expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null, claimed_at: null });
      // A lease left behind by a consumer that died mid-send is taken over once it is stale.
      const stale = { ...record, dedupeKey: `reminder:2h:${randomUUID()}:email` };
      expect(await claimDelivery(b.db, stale, 1)).toBe('claimed');
      await b.query(`UPDATE notifications SET claimed_at = now() - interval '1 hour' WHERE dedupe_key = '${stale.dedupeKey}'`);
      expect(await claimDelivery(b.db, stale, 2)).toBe('claimed');
    });

    describe('EXPLAIN: the queries the routes run use the intended indexes', () => {
      // A realistic spread, then fresh statistics — no planner switches: the plans are the ones
      // production would pick at this size. 2000 shops (30 of them staffed), 120 barbers, 3000
      // clients, 9000 bookings over a year and a half, 3000 blocks of time off.
      const bulk = { shop: '', barber: '', barberUser: '', client: '', appointment: '' };
      beforeAll(async () => {
        await b.query(`INSERT INTO shops (slug, name, timezone, currency)
          SELECT 'bulk-shop-' || g, 'Bulk Shop ' || g, 'Europe/London', 'GBP' FROM generate_series(1, 2000) g`);
        await b.query(`INSERT INTO users (email, first_name, last_name, phone_enc, phone_last4)
          SELECT 'bulk' || g || '@bulk.test', 'Bulk' || g, 'Person' || g, 'v1.k1.bulk.bulk', lpad((g % 10000)::text, 4, '0')
            FROM generate_series(1, 3120) g`);
        await b.query(`INSERT INTO barbers (user_id, shop_id, display_name)
          SELECT u.id, s.id, 'Bulk barber ' || u.email
            FROM (SELECT id, email, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE 'bulk%@bulk.test') u
            JOIN (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM shops WHERE slug LIKE 'bulk-shop-%') s ON s.n = (u.n % 30) + 1
           WHERE u.n <= 120`);
        await b.query(`INSERT INTO services (shop_id, name, price_cents, currency, duration_min)
          SELECT id, 'Bulk cut', 2500, 'GBP', 30 FROM shops WHERE slug LIKE 'bulk-shop-%'`);
        await b.query(`INSERT INTO memberships (user_id, shop_id, role)
          SELECT u.id, br.shop_id, 'client'
            FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE 'bulk%@bulk.test') u
            JOIN (SELECT shop_id, row_number() OVER (ORDER BY id) AS n FROM barbers WHERE display_name LIKE 'Bulk barber %') br
              ON br.n = (u.n % 120) + 1
           WHERE u.n > 120`);
        await b.query(`INSERT INTO appointments (shop_id, barber_id, client_id, service_id, start_time, end_time, status, price_cents, currency)
          SELECT br.shop_id, br.id, c.id, sv.id,
                 timestamptz '2026-01-01 09:00Z' + (g * interval '37 minutes') + (br.n * interval '1 minute'),
                 timestamptz '2026-01-01 09:30Z' + (g * interval '37 minutes') + (br.n * interval '1 minute'),
                 'completed', 2500, 'GBP'
            FROM generate_series(1, 9000) g
            JOIN (SELECT id, shop_id, row_number() OVER (ORDER BY id) AS n FROM barbers WHERE display_name LIKE 'Bulk barber %') br
              ON br.n = (g % 120) + 1
            JOIN (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE 'bulk%@bulk.test') c
              ON c.n = 121 + (g % 3000)
            JOIN services sv ON sv.shop_id = br.shop_id`);
        await b.query(`INSERT INTO time_off (barber_id, starts_at, ends_at)
          SELECT br.id, timestamptz '2026-01-01 00:00Z' + g * interval '6 hours', timestamptz '2026-01-01 03:00Z' + g * interval '6 hours'
            FROM generate_series(1, 3000) g
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM barbers WHERE display_name LIKE 'Bulk barber %') br
              ON br.n = (g % 120) + 1`);
        const [one] = await b.query(`SELECT a.id, a.shop_id, a.barber_id, a.client_id, br.user_id FROM appointments a
          JOIN barbers br ON br.id = a.barber_id WHERE br.display_name LIKE 'Bulk barber %' ORDER BY a.start_time LIMIT 1`);
        Object.assign(bulk, {
          shop: one!.shop_id,
          barber: one!.barber_id,
          barberUser: one!.user_id,
          client: one!.client_id,
          appointment: one!.id,
        });
        await b.exec('ANALYZE');
      });

      const plan = async (q: { toSQL(): { sql: string; params: unknown[] } }) => {
        const { sql, params } = q.toSQL();
        const rows = await b.query(`EXPLAIN ${sql}`, params);
        return rows.map((r) => String(r['QUERY PLAN'])).join('\n');
      };

      it("a client's appointments (GET /appointments) → appointments_client_idx", async () => {
        expect(await plan(appointmentListQuery(b.db, { view: { client: bulk.client }, limit: 50 }))).toContain('appointments_client_idx');
        const day = appointmentListQuery(b.db, { view: { client: bulk.client }, date: '2026-01-01', limit: 50 });
        expect(await plan(day)).toContain('appointments_client_idx');
      });

      it("a shop's appointments (GET /appointments?shop_id=) → appointments_shop_start_idx", async () => {
        const text = await plan(appointmentListQuery(b.db, { view: { shopId: bulk.shop }, limit: 50 }));
        expect(text).toContain('appointments_shop_start_idx');
        const chair = await plan(appointmentListQuery(b.db, { view: { shopId: bulk.shop, chairOf: bulk.barberUser }, limit: 50 }));
        expect(chair).toMatch(/appointments_(shop|barber)_start_idx/);
      });

      it("one barber's appointments (…&barber_id=) → appointments_barber_start_idx", async () => {
        const text = await plan(appointmentListQuery(b.db, { view: { shopId: bulk.shop }, barberId: bulk.barber, limit: 50 }));
        expect(text).toContain('appointments_barber_start_idx');
      });

      it('one appointment for a party (GET /appointments/{id}) → appointments_pkey', async () => {
        expect(await plan(appointmentForPartyQuery(b.db, bulk.client, bulk.appointment))).toContain('appointments_pkey');
      });

      it("a client record's visits (GET /clients/{id}) → appointments_client_idx", async () => {
        const q = clientRecordQueries(b.db, bulk.shop, bulk.client, 100);
        expect(await plan(q.visits)).toContain('appointments_client_idx');
        expect(await plan(q.client)).toContain('users_pkey');
      });

      it("a barber's time off (GET /barbers/{id}/time-off) → time_off_barber_starts_idx", async () => {
        const text = await plan(timeOffPageQuery(b.db, bulk.barber, { from: new Date('2026-01-01T00:00:00Z'), limit: 50 }));
        expect(text).toContain('time_off_barber_starts_idx');
      });

      it('client full-text search (GET /clients?q=) → users_search_idx (GIN)', async () => {
        const text = await plan(clientTextSearchQuery(b.db, f.shopId, toPrefixTsQuery('jo')!));
        expect(text).toContain('users_search_idx');
        // and it finds the fixture client among 3000 others
        const hits = await clientTextSearchQuery(b.db, f.shopId, toPrefixTsQuery('johan fix')!).execute();
        expect(hits.map((h) => h.id)).toEqual([f.clientId]);
      });

      it('client phone search (GET /clients?q=<digits>) → users_phone_last4_idx', async () => {
        expect(await plan(clientPhoneSearchQuery(b.db, bulk.shop, '0123'))).toContain('users_phone_last4_idx');
      });

      it('the public shop page (GET /shops/{slug}) → shops_slug_unique', async () => {
        expect(await plan(shopBySlugQuery(b.db, 'bulk-shop-7'))).toContain('shops_slug_unique');
      });
    });
  });
});

// @vitest-environment node
/**
 * Contract tests for dev/neon-http.ts through the real `@neondatabase/serverless`
 * driver (and drizzle's neon-http adapter). The same suite runs on embedded
 * PGlite and, when TEST_DATABASE_URL is set, on a fresh database of a real
 * PostgreSQL server (created and dropped here).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neon, neonConfig, NeonDbError, types, type NeonQueryFunction } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import { eq } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { startNeonHttp, type NeonHttpServer } from './neon-http.ts';
import { createTestDatabase, dropTestDatabase } from './test-backends.ts';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
if (!TEST_DATABASE_URL) {
  console.warn(
    '[neon-http contract] real PostgreSQL cases skipped; enable them with ' +
      'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres (a server where a bb_contract_* database may be created)',
  );
}

/** What the Worker sends; the local endpoint ignores it. */
const CONNECTION_STRING = 'postgresql://bb:bb@db.localtest.me/bookedbarber';

const backends = [
  { backend: 'pglite' as const, enabled: true },
  { backend: 'postgres' as const, enabled: Boolean(TEST_DATABASE_URL) },
];

const people = pgTable('drizzle_people', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
});

async function rejection(p: Promise<unknown>): Promise<NeonDbError> {
  try {
    await p;
  } catch (e) {
    return e as NeonDbError;
  }
  throw new Error('expected the query to fail');
}

describe.each(backends)('neon-http on $backend', ({ backend, enabled }) => {
  describe.skipIf(!enabled)('contract', () => {
    let server: NeonHttpServer;
    let sql: NeonQueryFunction<false, false>;
    let dbName: string | undefined;

    const post = (body: string, headers: Record<string, string> = {}, method = 'POST') =>
      fetch(server.url, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': 'application/json', ...headers } });

    beforeAll(async () => {
      let databaseUrl: string | undefined;
      if (backend === 'postgres') {
        const created = await createTestDatabase(TEST_DATABASE_URL as string, `bb_contract_${randomBytes(5).toString('hex')}`);
        dbName = created.name;
        databaseUrl = created.url;
      }
      server = await startNeonHttp({ databaseUrl });
      expect(server.backend).toBe(backend);
      // The driver reads the endpoint from this global on every query.
      neonConfig.fetchEndpoint = server.url;
      sql = neon(CONNECTION_STRING);
      await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`;
    });

    afterAll(async () => {
      await server?.close();
      if (dbName) await dropTestDatabase(TEST_DATABASE_URL as string, dbName);
    });

    it('answers a plain query with driver-parsed rows', async () => {
      const rows = await sql`SELECT 1 AS one, 'x'::text AS t, 2::int8 AS big`;
      expect(rows).toEqual([{ one: 1, t: 'x', big: '2' }]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sql$/);
    });

    it('round-trips parameters of every common type', async () => {
      await sql`CREATE TABLE kinds (
        n text, ints int[], texts text[], j json, jb jsonb, ts timestamptz, b bytea, flag bool,
        amount numeric(30, 15), big int8, d date)`;
      const when = new Date('2026-03-04T05:06:07.891Z');
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      const rows = await sql`INSERT INTO kinds VALUES (
        ${null}, ${[1, 2, 3]}, ${['a', 'b,c', 'd"e', 'ü ✓']}, ${{ a: [1, 'two'] }}, ${{ nested: { ok: true } }},
        ${when}, ${bytes}, ${false}, ${'12345.678901234567890'}, ${'9007199254740993'}, ${'2026-01-31'})
        RETURNING *`;
      const row = rows[0] as Record<string, unknown>;
      expect(row.n).toBeNull();
      expect(row.ints).toEqual([1, 2, 3]);
      expect(row.texts).toEqual(['a', 'b,c', 'd"e', 'ü ✓']);
      expect(row.j).toEqual({ a: [1, 'two'] });
      expect(row.jb).toEqual({ nested: { ok: true } });
      expect(row.ts).toBeInstanceOf(Date);
      expect((row.ts as Date).toISOString()).toBe(when.toISOString());
      expect(Buffer.from(row.b as Uint8Array).equals(bytes)).toBe(true);
      expect(row.flag).toBe(false);
      expect(row.amount).toBe('12345.678901234567890');
      expect(row.big).toBe('9007199254740993');
      expect(row.d).toBeInstanceOf(Date);
    });

    it('returns full results and array mode as the driver asks', async () => {
      const full = await sql.query('SELECT $1::int AS a, $2::text AS b', [7, 'x'], { fullResults: true });
      expect(full.command).toBe('SELECT');
      expect(full.rowCount).toBe(1);
      expect(full.rows).toEqual([{ a: 7, b: 'x' }]);
      expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['a', 23], ['b', 25]]);
      const arrays = await sql.query('SELECT 1, 2', [], { arrayMode: true });
      expect(arrays).toEqual([[1, 2]]);
      const inserted = await sql.query('CREATE TABLE counted (x int)', [], { fullResults: true });
      expect(inserted.command).toBe('CREATE');
    });

    it('commits a transaction batch', async () => {
      await sql`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)`;
      const results = await sql.transaction([
        sql`INSERT INTO accounts VALUES (1, 100)`,
        sql`INSERT INTO accounts VALUES (2, 50)`,
        sql`SELECT sum(balance)::int AS total FROM accounts`,
      ]);
      expect(results).toHaveLength(3);
      expect(results[2]).toEqual([{ total: 150 }]);
      expect(await sql`SELECT count(*)::int AS n FROM accounts`).toEqual([{ n: 2 }]);
    });

    it('rolls the whole batch back on the first error and reports it', async () => {
      const err = await rejection(
        sql.transaction([sql`UPDATE accounts SET balance = 0 WHERE id = 1`, sql`INSERT INTO accounts VALUES (2, 1)`]),
      );
      expect(err).toBeInstanceOf(NeonDbError);
      expect(err.code).toBe('23505');
      expect(err.constraint).toBe('accounts_pkey');
      expect(await sql`SELECT balance FROM accounts WHERE id = 1`).toEqual([{ balance: 100 }]);
    });

    it('honours isolation level and read-only batches', async () => {
      const [rows] = await sql.transaction((tx) => [tx`SHOW transaction_isolation`], {
        isolationLevel: 'Serializable',
        readOnly: true,
      });
      expect(rows).toEqual([{ transaction_isolation: 'serializable' }]);
      const err = await rejection(sql.transaction([sql`INSERT INTO accounts VALUES (9, 9)`], { readOnly: true }));
      expect(err.code).toBe('25006');
    });

    it('surfaces every field of a unique violation', async () => {
      await sql`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)`;
      await sql`CREATE UNIQUE INDEX users_email_lower ON users (lower(email))`;
      await sql`INSERT INTO users (email) VALUES ('a@example.com')`;
      const err = await rejection(sql`INSERT INTO users (email) VALUES ('A@example.com')`);
      expect(err).toBeInstanceOf(NeonDbError);
      expect(err.code).toBe('23505');
      expect(err.constraint).toBe('users_email_lower');
      expect(err.table).toBe('users');
      expect(err.schema).toBe('public');
      expect(err.severity).toBe('ERROR');
      expect(err.detail).toContain('already exists');
      expect(err.message).toContain('duplicate key value violates unique constraint');
      expect(err.routine).toBeTypeOf('string');
    });

    it('surfaces a 23P01 exclusion violation from a btree_gist constraint', async () => {
      await sql`CREATE TABLE bookings (
        barber int NOT NULL, starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL,
        CONSTRAINT bookings_no_overlap EXCLUDE USING gist (barber WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&))`;
      await sql`INSERT INTO bookings VALUES (1, '2026-05-01T10:00Z', '2026-05-01T10:30Z')`;
      // Touching intervals do not overlap with '[)' bounds; another barber never conflicts.
      await sql`INSERT INTO bookings VALUES (1, '2026-05-01T10:30Z', '2026-05-01T11:00Z')`;
      await sql`INSERT INTO bookings VALUES (2, '2026-05-01T10:00Z', '2026-05-01T10:30Z')`;
      const err = await rejection(sql`INSERT INTO bookings VALUES (1, '2026-05-01T10:15Z', '2026-05-01T10:45Z')`);
      expect(err.code).toBe('23P01');
      expect(err.constraint).toBe('bookings_no_overlap');
      expect(err.table).toBe('bookings');
    });

    it('reports syntax errors with their position', async () => {
      const err = await rejection(sql.query('SELECT FROM WHERE nonsense'));
      expect(err.code).toBe('42601');
      expect(Number(err.position)).toBeGreaterThan(0);
    });

    it('allows one statement per request, like Neon', async () => {
      const err = await rejection(sql.query('SELECT 1; SELECT 2'));
      expect(err.code).toBe('42601');
    });

    it('serves drizzle-orm/neon-http', async () => {
      // drizzle's neon-http driver globally turns the driver's date/time parsers into identity
      // functions when constructed; restore them so the other cases keep seeing Dates.
      const dateOids = [1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182];
      const saved = dateOids.map((oid) => [oid, types.getTypeParser(oid)] as const);
      try {
        await sql`CREATE TABLE drizzle_people (id int PRIMARY KEY, name text NOT NULL)`;
        const db = drizzle({ client: sql });
        const inserted = await db.insert(people).values([{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }]).returning();
        expect(inserted).toHaveLength(2);
        expect(await db.select().from(people).where(eq(people.id, 2))).toEqual([{ id: 2, name: 'Grace' }]);
      } finally {
        for (const [oid, parser] of saved) types.setTypeParser(oid, parser);
      }
    });

    it('serialises concurrent requests and transactions correctly', async () => {
      await sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`;
      await sql`INSERT INTO counter VALUES (1, 0)`;
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0
            ? sql.transaction([sql`UPDATE counter SET n = n + 1 WHERE id = 1`, sql`SELECT n FROM counter`])
            : sql`UPDATE counter SET n = n + 1 WHERE id = 1`,
        ),
      );
      expect(await sql`SELECT n FROM counter`).toEqual([{ n: 12 }]);
    });

    it('never leaks an open transaction into the next request', async () => {
      await sql.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      // Had the BEGIN stuck to the session, the next request would run inside it.
      expect(await sql.query('SHOW transaction_isolation')).toEqual([{ transaction_isolation: 'read committed' }]);
    });

    describe('wire protocol edges', () => {
      it('returns object rows without Neon-Array-Mode', async () => {
        const res = await post(JSON.stringify({ query: 'SELECT $1::int AS a', params: ['5'] }), {
          'Neon-Connection-String': CONNECTION_STRING,
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { rows: unknown[]; rowAsArray: boolean; fields: { format: string }[] };
        expect(body.rows).toEqual([{ a: '5' }]); // text output, unparsed
        expect(body.rowAsArray).toBe(false);
        expect(body.fields[0]?.format).toBe('text');
      });

      it('rejects non-POST with 405 and unknown paths with 404', async () => {
        expect((await post('', {}, 'GET')).status).toBe(405);
        const res = await fetch(server.url.replace('/sql', '/nope'), { method: 'POST', body: '{}' });
        expect(res.status).toBe(404);
      });

      it('answers malformed or wrongly shaped JSON with a 400 JSON error', async () => {
        for (const body of ['{not json', '[]', '{"query": 5}', '{"queries": {}}', '{"query":"select 1","params":"x"}']) {
          const res = await post(body);
          expect(res.status).toBe(400);
          expect(((await res.json()) as { message: string }).message).toBeTypeOf('string');
        }
      });

      it('refuses oversized bodies and keeps serving', async () => {
        const res = await post(JSON.stringify({ query: `SELECT '${'x'.repeat(11 * 1024 * 1024)}'` }));
        expect(res.status).toBe(413);
        expect(await sql`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
      });
    });
  });
});

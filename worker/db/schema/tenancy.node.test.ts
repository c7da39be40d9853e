/**
 * Migration 0004 (invitation roles, platform admin), run in NODE against PGlite and, with
 * TEST_DATABASE_URL, a fresh database on a real PostgreSQL: existing `admin` memberships become
 * the user-level flag, and afterwards no shop-level row can hold admin or invite anything but a
 * barber.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase } from '../../../dev/test-backends';

const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));
const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as {
  entries: { idx: number; tag: string }[];
};

function statements(from: number, to: number): string[] {
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .filter((e) => e.idx >= from && e.idx <= to)
    .flatMap((e) => readFileSync(join(MIGRATIONS, `${e.tag}.sql`), 'utf8').split('--> statement-breakpoint'))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const ROLES = journal.entries.find((e) => e.tag.endsWith('_invitation_roles'))?.idx ?? -1;

type Row = Record<string, unknown>;
interface Backend {
  name: string;
  query(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

async function pglite(): Promise<Backend> {
  const db = new PGlite({ extensions: { btree_gist } });
  await db.waitReady;
  return { name: 'pglite', query: async (t, p) => (await db.query<Row>(t, p)).rows, close: () => db.close() };
}

async function postgres(serverUrl: string): Promise<Backend> {
  const made = await createTestDatabase(serverUrl, `bb_roles_${randomBytes(5).toString('hex')}`);
  const pool = new pg.Pool({ connectionString: made.url, max: 1 });
  pool.on('error', () => {});
  return {
    name: 'postgres',
    query: async (t, p) => (await pool.query<Row>(t, p as unknown[])).rows,
    close: async () => {
      await pool.end();
      await dropTestDatabase(serverUrl, made.name);
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [['pglite', pglite]];
if (process.env.TEST_DATABASE_URL) backends.push(['postgres', () => postgres(process.env.TEST_DATABASE_URL!)]);

describe.each(backends)('migration invitation_roles on %s', (_name, open) => {
  let db: Backend;
  let ids: { admin: string; owner: string; shop: string };

  beforeAll(async () => {
    expect(ROLES).toBeGreaterThan(0);
    db = await open();
    for (const s of statements(0, ROLES - 1)) await db.query(s);
    // State before the migration: an admin membership, an owner, pending invitations of several roles.
    const [shop] = await db.query(`INSERT INTO shops (slug, name, timezone, currency) VALUES ('roles-shop', 'Roles', 'UTC', 'USD') RETURNING id`);
    const [admin] = await db.query(`INSERT INTO users (email, first_name) VALUES ('ops@example.test', 'Ops') RETURNING id`);
    const [owner] = await db.query(`INSERT INTO users (email, first_name) VALUES ('owner@example.test', 'Own') RETURNING id`);
    ids = { admin: String(admin!.id), owner: String(owner!.id), shop: String(shop!.id) };
    await db.query(`INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $3, 'admin'), ($1, $3, 'client'), ($2, $3, 'owner')`, [ids.admin, ids.owner, ids.shop]);
    await db.query(
      `INSERT INTO invitations (shop_id, email, role, token_hash, expires_at) VALUES
         ($1, 'b@example.test', 'barber', 'h1', now() + interval '1 day'),
         ($1, 'a@example.test', 'admin', 'h2', now() + interval '1 day'),
         ($1, 'o@example.test', 'owner', 'h3', now() + interval '1 day')`,
      [ids.shop],
    );
    for (const s of statements(ROLES, ROLES)) await db.query(s);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('turns admin memberships into the platform flag and keeps the other memberships', async () => {
    const users = await db.query(`SELECT email, platform_admin FROM users ORDER BY email`);
    expect(users.map((u) => [u.email, u.platform_admin])).toEqual([
      ['ops@example.test', true],
      ['owner@example.test', false],
    ]);
    const roles = await db.query(`SELECT user_id, role::text AS role FROM memberships ORDER BY role`);
    expect(roles.map((r) => [r.user_id, r.role])).toEqual([
      [ids.admin, 'client'],
      [ids.owner, 'owner'],
    ]);
  });

  it('withdraws invitations for any role but barber', async () => {
    const rows = await db.query(`SELECT email, role::text AS role FROM invitations`);
    expect(rows).toEqual([{ email: 'b@example.test', role: 'barber' }]);
  });

  it.each(['admin', 'owner', 'client'])('refuses a new invitation for %s', async (role) => {
    await expect(
      db.query(`INSERT INTO invitations (shop_id, email, role, token_hash, expires_at) VALUES ($1, 'x@example.test', $2, $3, now())`, [ids.shop, role, `h-${role}`]),
    ).rejects.toMatchObject({ code: '23514', constraint: 'invitations_role_check' });
  });

  it('refuses an admin membership; the flag defaults to false', async () => {
    await expect(
      db.query(`INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $2, 'admin')`, [ids.owner, ids.shop]),
    ).rejects.toMatchObject({ code: '23514', constraint: 'memberships_role_check' });
    const [fresh] = await db.query(`INSERT INTO users (email, first_name) VALUES ('new@example.test', 'New') RETURNING platform_admin`);
    expect(fresh!.platform_admin).toBe(false);
  });
});

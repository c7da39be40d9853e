import { describe, expect, it } from 'vitest';
import { notifications, shops, type NewNotification } from '../../db/schema';
import { buildShop } from '../../db/seed/builders';
import { createExecutionContext, env } from 'cloudflare:test';
import worker from '../../index';
import { call, origin, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';
import { tokenFor } from '../../../tests/worker/auth';
import type { FailedNotification } from '../../notifications/failures';

type Page = { data: FailedNotification[]; next_cursor: string | null };
const list = (shopId: string, token: string | null, query = '') => send('GET', `/api/v1/shops/${shopId}/notifications${query}`, token);

async function seed(shopId: string, rows: Partial<NewNotification>[]) {
  const base = Date.now() - 3_600_000;
  await testDb()
    .insert(notifications)
    .values(
      rows.map((r, i) => ({
        dedupeKey: `test:list:${crypto.randomUUID()}`,
        channel: 'email' as const,
        recipient: 'clara@example.test',
        template: 'appointment.confirmed',
        status: 'failed' as const,
        attempts: 1,
        shopId,
        createdAt: new Date(base + i * 1000),
        ...r,
      })),
    );
}

describe('GET /api/v1/shops/{id}/notifications', () => {
  it("lists the shop's failed deliveries newest first, masked, with their state, paged", async () => {
    const db = testDb();
    const w = await createManagedShop(db);
    const [other] = await db.insert(shops).values(buildShop()).returning();
    await seed(w.shop.id, [
      { lastError: 'sendgrid 500: boom', attempts: 2 },
      { lastError: 'permanent: twilio 400 21211 invalid_number: bad', channel: 'sms', recipient: '+15555550123', template: 'appointment.cancelled' },
      { lastError: 'dead-lettered', attempts: 5, recipient: 'zed@example.test' },
      { status: 'sent', lastError: null },
      { status: 'skipped', lastError: 'sms_opted_out' },
    ]);
    await seed(other!.id, [{ lastError: 'not yours' }]);

    const first = await list(w.shop.id, w.owner.token, '?status=failed&limit=2');
    expect(first.status, await first.clone().text()).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    const p1 = (await first.json()) as Page;
    expect(p1.data.map((n) => [n.state, n.recipient, n.last_error, n.attempts])).toEqual([
      ['dead_lettered', 'z***@example.test', 'dead-lettered', 5],
      ['failed', '***0123', 'twilio 400 21211 invalid_number: bad', 1],
    ]);
    expect(p1.next_cursor).not.toBeNull();
    const p2 = (await (await list(w.shop.id, w.owner.token, `?limit=2&cursor=${p1.next_cursor}`)).json()) as Page;
    expect(p2.data.map((n) => [n.state, n.recipient, n.template, n.channel])).toEqual([['retrying', 'c***@example.test', 'appointment.confirmed', 'email']]);
    expect(p2.next_cursor).toBeNull();
    expect(p2.data[0]!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('is for owners only: 401 without a token, 403 for staff, clients and owners of other shops (as for every shop route)', async () => {
    const w = await createManagedShop(testDb());
    expect((await list(w.shop.id, null)).status).toBe(401);
    expect((await list(w.shop.id, w.barberStaff.token)).status).toBe(403);
    expect((await list(w.shop.id, await tokenFor(w.client.id))).status).toBe(403);
    expect((await list(crypto.randomUUID(), w.owner.token)).status).toBe(403);
    const stranger = await createManagedShop(testDb());
    expect((await list(w.shop.id, stranger.owner.token)).status).toBe(403);
  });

  it('refuses a forged cursor and an unknown status', async () => {
    const w = await createManagedShop(testDb());
    const forged = await list(w.shop.id, w.owner.token, `?cursor=${btoa(JSON.stringify(["'; drop table x", 1]))}`);
    expect(forged.status).toBe(422);
    expect((await problemOf(forged)).code).toBe('validation_failed');
    expect((await list(w.shop.id, w.owner.token, '?status=sent')).status).toBe(422);
  });
});

describe('/dev/outbox', () => {
  it('shows what the outbox provider sent, newest first, escaped, links clickable; and as JSON', async () => {
    const { insertOutbox } = await import('../../db/queries/notifications');
    const tag = crypto.randomUUID();
    await insertOutbox(testDb() as never, { channel: 'email', recipient: `a-${tag}@example.test`, subject: '<b>old</b>', text: 'first', html: null, dedupeKey: `${tag}:1` });
    await insertOutbox(testDb() as never, { channel: 'sms', recipient: '+15555550100', subject: null, text: `Go: http://127.0.0.1:8787/x?a=1&b=<2> now ${tag}`, html: null, dedupeKey: `${tag}:2` });
    const json = (await (await call('/dev/outbox.json')).json()) as { data: { dedupe_key: string }[] };
    const ours = json.data.filter((e) => e.dedupe_key.startsWith(tag)).map((e) => e.dedupe_key);
    expect(ours).toEqual([`${tag}:2`, `${tag}:1`]);
    const res = await call('/dev/outbox');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('&lt;b&gt;old&lt;/b&gt;');
    expect(html).not.toContain('<b>old</b>');
    expect(html).toContain('<a href="http://127.0.0.1:8787/x?a=1&amp;b=">http://127.0.0.1:8787/x?a=1&amp;b=</a>&lt;2&gt; now');
    expect(html.indexOf(`${tag}:2`)).toBeLessThan(html.indexOf(`${tag}:1`));
  });

  it('is not found in production', async () => {
    const production = { ...env, APP_ENV: 'production' } as unknown as Env;
    for (const path of ['/dev/outbox', '/dev/outbox.json']) {
      const res = await worker.fetch(new Request(new URL(path, origin)) as Parameters<typeof worker.fetch>[0], production, createExecutionContext());
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('outbox');
    }
  });
});

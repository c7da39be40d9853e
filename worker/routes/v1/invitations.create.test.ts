import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { invitations, notifications } from '../../db/schema';
import { eventually, neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { describeTenantIsolation } from '../../../tests/worker/security';
import { casesFor } from '../../../tests/worker/tenant-cases';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import { testMailbox } from '../../queue/mailbox';
import { hashToken } from '../../auth/tokens';
import { tokenOfInvitationLink } from '../../services/management/staff';
import type { InvitationResponse } from './invitations.create';

describe('POST /api/v1/shops/{id}/invitations', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });

  it('stores only the token hash, expires in 7 days and e-mails the accept link', async () => {
    const res = await send('POST', `/api/v1/shops/${w.shop.id}/invitations`, w.owner.token, { email: 'New.Barber@Example.test' });
    expect(res.status).toBe(201);
    expect(neonRequests(res)).toBe(2);
    const invitation = (await res.json()) as InvitationResponse;
    expect(invitation).toMatchObject({ shop_id: w.shop.id, email: 'New.Barber@Example.test', role: 'barber' });
    expect(JSON.stringify(invitation)).not.toMatch(/token/i);
    const days = (Date.parse(invitation.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const mail = await eventually(async () => {
      const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, `invitation:${invitation.id}:email`));
      return row;
    });
    expect(mail).toMatchObject({ channel: 'email', template: 'barber_invitation', recipient: 'New.Barber@Example.test' });
    // The notification log never holds the link; the recipient's inbox does.
    expect(JSON.stringify(mail.payload)).not.toContain('/invitations/');
    const delivered = await eventually(async () => testMailbox.find((m) => m.dedupe_key === `invitation:${invitation.id}:email`));
    // The token rides in the link's fragment (never sent to a server), not its path or query.
    const link = new URL(delivered.secrets.accept_url!);
    expect(link.pathname).toBe('/invitations/accept');
    expect(link.search).toBe('');
    const token = tokenOfInvitationLink(link.href)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await testDb().select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(stored!.tokenHash).toBe(await hashToken(token));
    expect(stored!.tokenHash).not.toContain(token);
  });

  it('validates the e-mail and role', async () => {
    const res = await send('POST', `/api/v1/shops/${w.shop.id}/invitations`, w.owner.token, { email: 'nope', role: 'owner' });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path).sort()).toEqual(['json.email', 'json.role']);
  });

  it('is for owners only', async () => {
    const res = await send('POST', `/api/v1/shops/${w.shop.id}/invitations`, w.barberStaff.token, { email: 'x@example.test' });
    expect(res.status).toBe(403);
  });
});

describeTenantIsolation(casesFor('POST /api/v1/shops/{id}/invitations'));

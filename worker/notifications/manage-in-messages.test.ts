/**
 * The manage links reach the client: a booking's confirmation carries signed view, reschedule and
 * cancel links (made at send time), and the cancel link in the delivered e-mail cancels the
 * booking without signing in.
 */
import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, devOutbox } from '../db/schema';
import { book, createBookingWorld, localInstant } from '../../tests/worker/booking-world';
import { eventually, postJson, testDb } from '../../tests/worker/harness';
import { renderNotification } from './templates';

const links = { view: 'https://bookedbarber.test/m?token=v.sig', reschedule: 'https://bookedbarber.test/m?token=r.sig', cancel: 'https://bookedbarber.test/m?token=c.sig' };
const data = {
  appointment_id: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  start_time: '2026-12-07T15:30:00.000Z',
  end_time: '2026-12-07T16:00:00.000Z',
  timezone: 'America/New_York',
  service_name: 'Skin fade',
  barber_name: 'Marcus',
  client_first_name: 'Ava',
};

describe('manage links in messages', () => {
  it('booking messages that look ahead show view, reschedule and cancel; a cancellation does not', () => {
    const confirmed = renderNotification('appointment.confirmed', data, {}, { locale: 'en', links });
    for (const url of Object.values(links)) {
      expect(confirmed.text).toContain(url);
      expect(confirmed.html).toContain(`href="${url}"`);
    }
    expect(confirmed.sms).toContain(links.view);
    expect(confirmed.sms).not.toContain(links.cancel);
    const reminder = renderNotification('appointment.reminder', data, {}, { locale: 'en', links });
    expect(reminder.text).toContain(links.cancel);
    const cancelled = renderNotification('appointment.cancelled', data, {}, { locale: 'en', links });
    expect(cancelled.text).not.toContain('token=');
  });

  it('the cancel link in the delivered confirmation cancels the booking without signing in', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 5, '10:00').toISOString() });
    expect(res.status).toBe(201);
    const booked = (await res.json()) as { id: string; status: string };
    expect(booked.status).toBe('confirmed');
    const mail = await eventually(async () => {
      const [row] = await db
        .select()
        .from(devOutbox)
        .where(and(eq(devOutbox.recipient, w.client.user.email!), eq(devOutbox.channel, 'email')))
        .orderBy(desc(devOutbox.createdAt))
        .limit(1);
      return row;
    });
    const cancelUrl = /Cancel: (\S+)/.exec(mail.text)?.[1];
    expect(cancelUrl).toBeDefined();
    const token = new URL(cancelUrl!).searchParams.get('token');
    const cancelled = await postJson('/api/v1/manage/cancel', { token });
    expect(cancelled.status).toBe(200);
    expect((await db.select().from(appointments).where(eq(appointments.id, booked.id)))[0]!.status).toBe('cancelled');
    // The same link again: used.
    expect((await postJson('/api/v1/manage/cancel', { token })).status).toBe(409);
  });
});

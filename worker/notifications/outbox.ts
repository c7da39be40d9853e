/**
 * The stand-in for SendGrid and Twilio when their keys are not configured, in development and
 * tests only: what would have been sent is written to dev_outbox, read at /dev/outbox. Never
 * chosen in production (see configured.ts).
 */
import { insertOutbox } from '../db/queries/notifications';
import type { Db } from '../db/queries/types';
import type { EmailProvider, SendResult, SmsProvider } from './providers';

export function outboxProvider(db: Db): EmailProvider & SmsProvider {
  return {
    name: 'outbox',
    async sendEmail(m): Promise<SendResult> {
      const attached = m.attachments.map((a) => `[attached: ${a.filename}]`).join('\n');
      const text = attached ? `${m.text}\n${attached}\n` : m.text;
      const id = await insertOutbox(db, { channel: 'email', recipient: m.to, subject: m.subject, text, html: m.html, dedupeKey: m.dedupeKey });
      return { ok: true, providerMessageId: `outbox:${id}` };
    },
    async sendSms(m): Promise<SendResult> {
      const id = await insertOutbox(db, { channel: 'sms', recipient: m.to, subject: null, text: m.body, html: null, dedupeKey: m.dedupeKey });
      return { ok: true, providerMessageId: `outbox:${id}` };
    },
  };
}

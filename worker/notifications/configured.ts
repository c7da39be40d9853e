/**
 * Which provider carries each channel under this configuration: SendGrid and Twilio when their
 * keys are set; otherwise the dev outbox outside production, and a permanent
 * `provider_not_configured` failure in production (recorded on the notification, never a silent drop).
 */
import type { AppConfig } from '../env';
import type { Db } from '../db/queries/types';
import { outboxProvider } from './outbox';
import { permanent, type EmailProvider, type Providers, type SmsProvider } from './providers';
import { sendgridProvider } from './sendgrid';
import { twilioProvider } from './twilio';

/** Production without a key: every message of the channel fails for good, saying why. */
const notConfigured = (name: string, missing: string): EmailProvider & SmsProvider => ({
  name,
  sendEmail: () => Promise.resolve(permanent(`provider_not_configured: ${missing}`)),
  sendSms: () => Promise.resolve(permanent(`provider_not_configured: ${missing}`)),
});

/** The providers this configuration names; the outbox where keys are missing outside production. */
export function providersFor(config: AppConfig, db: Db, fetcher: typeof fetch = fetch): Providers {
  const outbox = config.APP_ENV === 'production' ? undefined : outboxProvider(db);
  const email: EmailProvider = config.SENDGRID_API_KEY
    ? sendgridProvider({ apiKey: config.SENDGRID_API_KEY, apiUrl: config.SENDGRID_API_URL, from: config.EMAIL_FROM }, fetcher)
    : (outbox ?? notConfigured('sendgrid', 'SENDGRID_API_KEY'));
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_FROM: from } = config;
  const sms: SmsProvider =
    sid && token && from
      ? twilioProvider({ accountSid: sid, authToken: token, from, apiUrl: config.TWILIO_API_URL }, fetcher)
      : (outbox ?? notConfigured('twilio', 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM'));
  return { email, sms };
}


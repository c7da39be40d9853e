/**
 * One interface for the services that carry messages out: SendGrid (e-mail), Twilio (SMS), and
 * the dev outbox that stands in for both when their keys are not configured (development and
 * tests only). A send answers with a value, never a throw: sent (with the provider's id of it),
 * or failed — retryable (5xx, 429, the network) or permanent (a request that will never succeed).
 */
import type { Attachment } from './templates';

export type SendResult =
  /** `sender`: the number an SMS went out from, when the provider says (replies come in on it). */
  | { ok: true; providerMessageId: string | null; sender?: string | null }
  | { ok: false; retryable: boolean; error: string };

export interface EmailMessage {
  dedupeKey: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: Attachment[];
}

export interface SmsMessage {
  dedupeKey: string;
  /** E.164, "+15555550100". */
  to: string;
  body: string;
}

export interface EmailProvider {
  readonly name: string;
  sendEmail(message: EmailMessage): Promise<SendResult>;
}

export interface SmsProvider {
  readonly name: string;
  sendSms(message: SmsMessage): Promise<SendResult>;
}

export interface Providers {
  email: EmailProvider;
  sms: SmsProvider;
}

/** How long a provider may take to answer before the send counts as failed (and is retried). */
export const PROVIDER_TIMEOUT_MS = 15_000;

export const retryable = (error: string): SendResult => ({ ok: false, retryable: true, error });
export const permanent = (error: string): SendResult => ({ ok: false, retryable: false, error });

/** A fetch that failed before any answer (DNS, refused, reset, timeout) is worth retrying. */
export async function request(fetcher: typeof fetch, url: string, init: RequestInit): Promise<Response | SendResult> {
  try {
    return await fetcher(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (err) {
    return retryable(`network: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
}

/** The statuses worth another try whatever the provider: throttling, timeouts, their outages. */
export const isRetryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;

export async function bodyText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 2000);
  } catch {
    return '';
  }
}

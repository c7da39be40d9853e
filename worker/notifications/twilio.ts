import { parseJson } from '../lib/json';
/**
 * Twilio Programmable Messaging over fetch: POST {api}/2010-04-01/Accounts/{sid}/Messages.json,
 * Basic auth sid:token, a form body (To, From or MessagingServiceSid, Body). 201 is accepted (its
 * `sid` is the provider's id); 429 and 5xx are retried; a 4xx — an invalid number (21211), an
 * unsubscribed recipient (21610), a landline (21614), bad credentials — never succeeds on a retry.
 */
import { bodyText, isRetryableStatus, permanent, request, retryable, type SendResult, type SmsProvider } from './providers';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** An E.164 number, or a messaging service SID (MG…). */
  from: string;
  apiUrl: string;
}

/** Codes Twilio answers for a recipient that cannot receive the message, named in the error. */
export const TWILIO_RECIPIENT_CODES: Record<number, string> = {
  21211: 'invalid_number',
  21408: 'region_not_enabled',
  21610: 'unsubscribed',
  21612: 'unreachable',
  21614: 'not_mobile',
};

const E164 = /^\+[1-9][0-9]{6,14}$/;

export function twilioForm(to: string, from: string, body: string): URLSearchParams {
  const form = new URLSearchParams({ To: to });
  if (from.startsWith('MG')) form.set('MessagingServiceSid', from);
  else form.set('From', from);
  form.set('Body', body);
  return form;
}

function errorOf(status: number, text: string): string {
  // Not JSON: the raw text.
  const parsed = parseJson(text) as { code?: number; message?: string } | null | undefined;
  if (parsed && typeof parsed.code === 'number') {
    const name = TWILIO_RECIPIENT_CODES[parsed.code];
    // Code and name only: Twilio's message text quotes the recipient's full number, and this
    // string is logged, stored and shown to the shop's owner.
    return `twilio ${status} ${parsed.code}${name ? ` ${name}` : ''}`;
  }
  return `twilio ${status}${text ? `: ${text.slice(0, 300).replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')}` : ''}`;
}

export function twilioProvider(opts: TwilioOptions, fetcher: typeof fetch = fetch): SmsProvider {
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${opts.accountSid}:${opts.authToken}`)}`;
  return {
    name: 'twilio',
    async sendSms(message): Promise<SendResult> {
      const res = await request(fetcher, url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: twilioForm(message.to, opts.from, message.body).toString(),
      });
      if (!(res instanceof Response)) return res;
      const text = await bodyText(res);
      if (res.status === 201 || res.status === 200) {
        // Accepted without a readable body: sent, id unknown.
        const parsed = parseJson(text) as { sid?: unknown; from?: unknown } | null | undefined;
        const sid = typeof parsed?.sid === 'string' ? parsed.sid : null;
        // The number it goes out from: Twilio's answer names it; with a messaging service it may
        // not yet (the sender is picked later), and then it is not known.
        const from = typeof parsed?.from === 'string' && E164.test(parsed.from) ? parsed.from : opts.from.startsWith('MG') ? null : opts.from;
        return { ok: true, providerMessageId: sid, sender: from };
      }
      const error = errorOf(res.status, text);
      return isRetryableStatus(res.status) ? retryable(error) : permanent(error);
    },
  };
}

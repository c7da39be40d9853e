import { parseJson } from '../lib/json';
/**
 * SendGrid v3 Mail Send over fetch: POST {api}/v3/mail/send with a Bearer key. 202 is accepted
 * (its X-Message-Id is the provider's id); 429 and 5xx are retried; 400/401/403/413 and other
 * 4xx never succeed on a retry (a bad address, a revoked key, too large).
 */
import { bodyText, isRetryableStatus, permanent, request, retryable, type EmailMessage, type EmailProvider, type SendResult } from './providers';

export interface SendgridOptions {
  apiKey: string;
  apiUrl: string;
  /** "Name <address>" or a bare address. */
  from: string;
}

export function parseAddress(value: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (!match) return { email: value.trim() };
  const name = match[1]!.replace(/^"(.*)"$/, '$1');
  return name ? { email: match[2]!, name } : { email: match[2]! };
}

function base64(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The Mail Send body of one message. */
export function sendgridBody(message: EmailMessage, from: string): Record<string, unknown> {
  return {
    personalizations: [{ to: [{ email: message.to }] }],
    from: parseAddress(from),
    subject: message.subject,
    content: [
      { type: 'text/plain', value: message.text },
      { type: 'text/html', value: message.html },
    ],
    ...(message.attachments.length
      ? {
          attachments: message.attachments.map((a) => ({
            content: base64(a.content),
            type: a.contentType,
            filename: a.filename,
            disposition: 'attachment',
          })),
        }
      : {}),
    custom_args: { dedupe_key: message.dedupeKey },
  };
}

function errorOf(status: number, text: string): string {
  let detail = text;
  // Not JSON: the raw text.
  const parsed = parseJson(text) as { errors?: { message?: string; field?: string }[] } | null | undefined;
  const first = parsed?.errors?.[0];
  if (first?.message) detail = first.field ? `${first.field}: ${first.message}` : first.message;
  return `sendgrid ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
}

export function sendgridProvider(opts: SendgridOptions, fetcher: typeof fetch = fetch): EmailProvider {
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/v3/mail/send`;
  return {
    name: 'sendgrid',
    async sendEmail(message): Promise<SendResult> {
      const res = await request(fetcher, url, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(sendgridBody(message, opts.from)),
      });
      if (!(res instanceof Response)) return res;
      if (res.status === 202 || res.status === 200) {
        await res.body?.cancel();
        return { ok: true, providerMessageId: res.headers.get('x-message-id') };
      }
      const error = errorOf(res.status, await bodyText(res));
      return isRetryableStatus(res.status) ? retryable(error) : permanent(error);
    },
  };
}

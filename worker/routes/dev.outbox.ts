/**
 * Development and tests only: what the outbox provider "sent" while SendGrid and Twilio keys are
 * not configured — /dev/outbox (a page, newest first, links clickable) and /dev/outbox.json.
 * Not found in production, where the outbox is never written either.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listOutbox, type OutboxEntry } from '../db/queries/notifications';
import { escapeHtml } from '../notifications/format';
import type { HonoEnv } from '../types';

const LIMIT = 100;
const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/** Escaped text with its http(s) URLs as links. */
export function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0];
    out += escapeHtml(text.slice(last, match.index));
    out += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

function page(entries: OutboxEntry[]): string {
  const items = entries
    .map(
      (e) => `<article>
<h2>${escapeHtml(e.channel === 'sms' ? 'SMS' : (e.subject ?? '(no subject)'))}</h2>
<p class="meta">${escapeHtml(e.channel)} to <strong>${escapeHtml(e.recipient)}</strong> · ${escapeHtml(e.created_at)} · <code>${escapeHtml(e.dedupe_key)}</code></p>
<pre>${linkify(e.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dev outbox</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap}.meta{color:#555}</style>
</head><body>
<h1>Dev outbox</h1>
<p>Messages the Worker would have sent (no SendGrid/Twilio keys configured), newest first. <a href="/dev/outbox.json">JSON</a></p>
${items || '<p>Nothing sent yet.</p>'}
</body></html>
`;
}

const inProduction = (c: Context<HonoEnv>) => c.get('services').config.APP_ENV === 'production';

export function registerDevOutbox(app: OpenAPIHono<HonoEnv>): void {
  app.get('/dev/outbox', async (c) => {
    if (inProduction(c)) return c.text('Not found', 404);
    c.header('Cache-Control', 'no-store');
    return c.html(page(await listOutbox(c.get('services').db, LIMIT)));
  });
  app.get('/dev/outbox.json', async (c) => {
    if (inProduction(c)) return c.json({ error: 'not_found' }, 404);
    c.header('Cache-Control', 'no-store');
    return c.json({ data: await listOutbox(c.get('services').db, LIMIT) });
  });
}

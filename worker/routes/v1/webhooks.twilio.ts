import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, errorResponses } from '../../lib/errors';
import { verifyTwilioSignature } from '../../lib/twilio-signature';
import { answerSms, SMS_TEXT } from '../../services/sms-replies';
import type { HonoEnv } from '../../types';

export const twilioWebhookRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/twilio',
  tags: ['Webhooks'],
  operationId: 'twilioWebhook',
  summary: 'Inbound SMS (signed by Twilio): C confirms a held booking, X cancels a booking, STOP / START set SMS consent',
  description:
    '`X-Twilio-Signature` must be the base64 HMAC-SHA1 (key: TWILIO_AUTH_TOKEN) of the full URL followed by the POST parameters ' +
    'as name+value, sorted by name; otherwise 403 `forbidden` (reason `signature`) and nothing changes. A signed message always gets ' +
    'a TwiML answer (200), also from a number we do not know. Each MessageSid is handled once: a retried webhook gets the first answer again. ' +
    'C → settle confirm of a live hold (refused while a deposit or card is due); X → cancel of a booking that has not started, as the client ' +
    '(the policy decides refund or fee). Which booking: the one our latest text to that number from the number it replies to (`To`) was about; ' +
    'otherwise the answer lists the bookings with a code each and `X <code>` / `C <code>` names one. ' +
    "STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT → users.sms_opted_out_at; START, UNSTOP, YES → cleared; anything else → help. " +
    'A body that is not a form is 400 `malformed_request`.',
  request: {
    headers: z.object({ 'x-twilio-signature': z.string().optional() }),
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: z
            .object({ MessageSid: z.string(), From: z.string(), To: z.string(), Body: z.string() })
            .passthrough()
            .openapi({
              description: "Twilio's message parameters",
              example: { MessageSid: 'SM0123456789abcdef0123456789abcdef', From: '+12125550134', To: '+12125550100', Body: 'C' },
            }),
        },
      },
    },
  },
  responses: {
    200: { description: 'TwiML: the reply to text back', content: { 'text/xml': { schema: z.string().openapi({ example: '<Response><Message>…</Message></Response>' }) } } },
    400: errorResponses[400],
    403: errorResponses[403],
  },
});

/** SM… (SMS) or MM… (MMS), 32 hex digits. */
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** A TwiML answer that texts `message` back. */
export function twiml(message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${message.replace(/[&<>"']/g, (ch) => xmlEscapes[ch]!)}</Message></Response>`;
}

export function registerTwilioWebhook(app: OpenAPIHono<HonoEnv>): void {
  // Not app.openapi(): the form must be read as sent for the signature; the route is documented above.
  app.post(twilioWebhookRoute.path, async (c) => {
    const services = c.get('services');
    // Twilio posts a form; anything else is not one of its requests (and is not read).
    if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '')) {
      throw new ApiError('malformed_request', 'Twilio posts application/x-www-form-urlencoded');
    }
    const signature = c.req.header('x-twilio-signature');
    const params = new URLSearchParams(await c.req.text());
    const token = services.config.TWILIO_AUTH_TOKEN;
    if (!token) services.logger.warn('twilio webhook refused', { reason: 'TWILIO_AUTH_TOKEN not configured' });
    const valid = !!token && !!signature && (await verifyTwilioSignature(token, c.req.url, params, signature));
    if (!valid) {
      if (token) services.logger.warn('twilio webhook refused', { reason: signature ? 'bad signature' : 'no signature' });
      throw new ApiError('forbidden', 'The Twilio signature is missing or wrong', { reason: 'signature' });
    }
    const messageSid = params.get('MessageSid') ?? '';
    // Twilio names every message; the sid is what makes a retried webhook act once.
    if (!MESSAGE_SID.test(messageSid)) throw new ApiError('malformed_request', 'MessageSid is missing or not a Twilio message SID');
    let reply: string;
    try {
      reply = await answerSms(services, { messageSid, from: params.get('From') ?? '', to: params.get('To') ?? '', body: params.get('Body') ?? '' });
    } catch (err) {
      // The person texting still gets an answer; the failure is in the logs.
      services.logger.error('sms reply failed', { err });
      reply = SMS_TEXT.failed;
    }
    return c.body(twiml(reply), 200, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' });
  });
  app.openAPIRegistry.registerPath(twilioWebhookRoute);
}

/**
 * What each notification says: a subject, a plain-text and an HTML e-mail body, and a short SMS,
 * from the message's template and data (and, for account messages, its opened secrets). Pure:
 * everything comes in as arguments, so rendering is tested without a queue or a provider.
 *
 * Times are always the shop's wall clock (data.timezone) with the zone named; every value that
 * reaches HTML is escaped. Confirmations and reschedules carry an .ics of the appointment under a
 * stable UID, so calendars update the event instead of adding another.
 */
import { icsCalendar } from '../domain/ics';
import { escapeHtml, formatMoney, formatTime, formatWhen, safeHref } from './format';

export interface RenderContext {
  locale: string;
  /** The shop's name as it is now (the message data may not carry it). */
  shopName?: string | null;
  /**
   * The shop's IANA zone as it is now, for messages whose data does not carry `timezone` (an
   * invitation): their instants are still written on the shop's clock, never in UTC.
   */
  timeZone?: string | null;
  /** appointments.ics_sequence at send time: the attachment is the event's current version. */
  icsSequence?: number;
  /** DTSTAMP of attachments; default now. */
  nowMs?: number;
  /**
   * Signed manage links for this appointment (view, reschedule, cancel — no sign-in needed),
   * made at send time (notifications/manage-links.ts). Shown in booking messages that look ahead.
   */
  links?: { view: string; reschedule: string; cancel: string };
}

/** The templates whose message points at a booking that is still ahead: they carry manage links. */
export const MANAGED_TEMPLATES = new Set(['appointment.held', 'appointment.confirmed', 'appointment.rescheduled', 'appointment.reminder']);

export interface Attachment {
  filename: string;
  contentType: string;
  /** The file's text (providers encode it as they need). */
  content: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
  attachments: Attachment[];
}

export class UnknownTemplateError extends Error {
  override readonly name = 'UnknownTemplateError';
  constructor(readonly template: string) {
    super(`no template named ${template}`);
  }
}

/** A message is missing something its template cannot do without (a link, a start time). */
export class IncompleteMessageError extends Error {
  override readonly name = 'IncompleteMessageError';
  constructor(readonly template: string, readonly field: string) {
    super(`${template} needs ${field}`);
  }
}

/** Booking messages respect the client's channel preferences; account messages always go. */
export const ACCOUNT_TEMPLATES = new Set(['verify_email', 'password_reset', 'barber_invitation']);

type Data = Record<string, unknown>;

interface Draft {
  subject: string;
  /** Paragraphs, plain text (escaped for HTML by the layout). */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Secondary links (manage the booking), after the paragraphs. */
  links?: { label: string; url: string }[];
  sms: string;
  ics?: boolean;
}

const str = (data: Data, key: string): string | undefined => {
  const v = data[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};
const num = (data: Data, key: string): number | undefined => {
  const v = data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const instant = (data: Data, key: string): number | undefined => {
  const v = str(data, key);
  const ms = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
};

interface Appointment {
  shop: string;
  greeting: string;
  what: string;
  when: string;
  startMs: number;
  endMs: number;
  zone: string;
}

function appointment(template: string, data: Data, ctx: RenderContext): Appointment {
  const startMs = instant(data, 'start_time');
  if (startMs === undefined) throw new IncompleteMessageError(template, 'data.start_time');
  const zone = str(data, 'timezone') ?? 'UTC';
  const service = str(data, 'service_name');
  const barber = str(data, 'barber_name');
  const first = str(data, 'client_first_name');
  return {
    shop: ctx.shopName ?? str(data, 'shop_name') ?? 'BookedBarber',
    greeting: first ? `Hi ${first},` : 'Hi,',
    what: [service ?? 'Your appointment', barber ? `with ${barber}` : undefined].filter(Boolean).join(' '),
    when: formatWhen(startMs, zone, ctx.locale),
    startMs,
    endMs: instant(data, 'end_time') ?? startMs + 30 * 60_000,
    zone,
  };
}

/** What a reminder says of its lead (data.lead, services/reminders.ts REMINDER_WINDOWS). */
const REMINDER_LEADS: Record<string, { subject: string; within: string }> = {
  '24h': { subject: 'your appointment is within 24 hours', within: 'within the next 24 hours' },
  '2h': { subject: 'your appointment is within 2 hours', within: 'within the next 2 hours' },
};

const money = (data: Data, key: string, ctx: RenderContext): string | undefined => {
  const cents = num(data, key);
  const currency = str(data, 'currency');
  return cents !== undefined && cents > 0 && currency ? formatMoney(cents, currency, ctx.locale) : undefined;
};

const drafts: Record<string, (data: Data, secrets: Record<string, string>, ctx: RenderContext) => Draft> = {
  'appointment.held': (data, _s, ctx) => {
    const a = appointment('appointment.held', data, ctx);
    const until = instant(data, 'hold_expires_at');
    const untilText = until !== undefined ? ` until ${formatWhen(until, a.zone, ctx.locale)}` : '';
    return {
      subject: `${a.shop}: your booking is held — ${a.when}`,
      paragraphs: [a.greeting, `We are holding ${a.what} on ${a.when} for you${untilText}.`, 'Complete the payment to confirm it; after that the time is offered to others.'],
      sms: `${a.shop}: ${a.what}, ${a.when} is held for you${untilText}. Complete the payment to confirm.`,
    };
  },
  'appointment.confirmed': (data, _s, ctx) => {
    const a = appointment('appointment.confirmed', data, ctx);
    return {
      subject: `${a.shop}: booking confirmed — ${a.when}`,
      paragraphs: [a.greeting, `Your booking is confirmed: ${a.what} on ${a.when}.`, 'The attached calendar file adds it to your calendar.'],
      sms: `${a.shop}: confirmed — ${a.what}, ${a.when}.`,
      ics: true,
    };
  },
  'appointment.rescheduled': (data, _s, ctx) => {
    const a = appointment('appointment.rescheduled', data, ctx);
    const before = instant(data, 'previous_start_time');
    const from = before !== undefined ? ` from ${formatWhen(before, a.zone, ctx.locale)}` : '';
    return {
      subject: `${a.shop}: appointment moved to ${a.when}`,
      paragraphs: [a.greeting, `Your appointment (${a.what}) has moved${from} to ${a.when}.`, 'The attached calendar file updates the event in your calendar.'],
      sms: `${a.shop}: your appointment moved${from} to ${a.when}.`,
      ics: true,
    };
  },
  'appointment.cancelled': (data, _s, ctx) => {
    const a = appointment('appointment.cancelled', data, ctx);
    const fee = money(data, 'fee_cents', ctx);
    const refund = money(data, 'refund_due_cents', ctx);
    const settled = [fee ? `A cancellation fee of ${fee} applies.` : undefined, refund ? `${refund} will be refunded to your card.` : undefined].filter(
      (s): s is string => s !== undefined,
    );
    return {
      subject: `${a.shop}: appointment cancelled — ${a.when}`,
      paragraphs: [a.greeting, `Your appointment (${a.what}) on ${a.when} is cancelled.`, ...settled],
      sms: `${a.shop}: your appointment on ${a.when} is cancelled.${fee ? ` Fee: ${fee}.` : ''}${refund ? ` Refund: ${refund}.` : ''}`,
    };
  },
  'appointment.no_show': (data, _s, ctx) => {
    const a = appointment('appointment.no_show', data, ctx);
    const fee = money(data, 'fee_cents', ctx);
    return {
      subject: `${a.shop}: we missed you — ${a.when}`,
      paragraphs: [a.greeting, `You were booked for ${a.what} on ${a.when} and did not come.`, ...(fee ? [`A no-show fee of ${fee} was charged as the shop's policy says.`] : [])],
      sms: `${a.shop}: we missed you on ${a.when}.${fee ? ` A no-show fee of ${fee} applies.` : ''}`,
    };
  },
  'walk_in.joined': (data, secrets, ctx) => {
    const a = appointment('walk_in.joined', data, ctx);
    const around = formatTime(a.startMs, a.zone, ctx.locale);
    const link = secrets.link ?? str(data, 'link');
    return {
      subject: `${a.shop}: you’re in the queue — around ${around}`,
      paragraphs: [a.greeting, `You’re in the walk-in queue for ${a.what}, around ${around}. We’ll text you when you’re next.`],
      ...(link ? { action: { label: 'See your place or leave the queue', url: link } } : {}),
      sms: `${a.shop}: you’re in the queue — ${a.what}, around ${around}. We’ll text when you’re next.${link ? ` Your place: ${link}` : ''}`,
    };
  },
  'walk_in.next': (data, secrets, ctx) => {
    const a = appointment('walk_in.next', data, ctx);
    const around = formatTime(a.startMs, a.zone, ctx.locale);
    const link = secrets.link ?? str(data, 'link');
    return {
      subject: `${a.shop}: you’re next — around ${around}`,
      paragraphs: [a.greeting, `You’re next for ${a.what}, around ${around}. Please be at the shop.`],
      ...(link ? { action: { label: 'See your place', url: link } } : {}),
      sms: `${a.shop}: you’re next — ${a.what}, around ${around}. Please be at the shop.${link ? ` ${link}` : ''}`,
    };
  },
  'waitlist.offer': (data, secrets, ctx) => {
    const a = appointment('waitlist.offer', data, ctx);
    const until = instant(data, 'hold_expires_at');
    const untilText = until !== undefined ? ` until ${formatWhen(until, a.zone, ctx.locale)}` : '';
    const link = secrets.link ?? str(data, 'link');
    return {
      subject: `${a.shop}: a time opened up — ${a.when}`,
      paragraphs: [a.greeting, `A time you were waiting for is free: ${a.what} on ${a.when}. It is held for you${untilText}.`],
      ...(link ? { action: { label: 'Take this time', url: link } } : {}),
      sms: `${a.shop}: a time opened — ${a.what}, ${a.when}. Held for you${untilText}.${link ? ` ${link}` : ''}`,
    };
  },
  'payment.refunded': (data, _s, ctx) => {
    const a = appointment('payment.refunded', data, ctx);
    const amount = money(data, 'refund_cents', ctx) ?? 'Your payment';
    const why: Record<string, string> = {
      slot_taken: 'the booking could not be kept: the time was taken after your hold ran out',
      cancelled_before_payment: 'the booking had been cancelled before the payment arrived',
      duplicate_payment: 'the booking was already paid',
      cancel_refund: 'you cancelled in good time',
      shop_cancelled: 'the shop cancelled the appointment',
      manual: 'the shop refunded it',
    };
    const reason = why[str(data, 'refund_reason') ?? ''] ?? 'the booking could not be kept';
    return {
      subject: `${a.shop}: ${amount} refunded`,
      paragraphs: [a.greeting, `We refunded ${amount} for ${a.what} on ${a.when}: ${reason}.`, 'The refund reaches your card within a few days.'],
      sms: `${a.shop}: we refunded ${amount} for ${a.when}.`,
    };
  },
  'payment.receipt': (data, _s, ctx) => {
    const a = appointment('payment.receipt', data, ctx);
    const amount = money(data, 'paid_cents', ctx) ?? 'Your payment';
    const what = str(data, 'payment_kind') === 'full' ? 'the full price' : 'the deposit';
    return {
      subject: `${a.shop}: receipt — ${amount}`,
      paragraphs: [a.greeting, `We received ${amount}, ${what} for ${a.what} on ${a.when}.`, 'Keep this e-mail as your receipt.'],
      sms: `${a.shop}: received ${amount} for ${a.when}.`,
    };
  },
  'payment.fee_charged': (data, _s, ctx) => {
    const a = appointment('payment.fee_charged', data, ctx);
    const amount = money(data, 'fee_charged_cents', ctx) ?? 'A fee';
    const what = str(data, 'fee_reason') === 'no_show_fee' ? 'the no-show fee' : 'the late-cancellation fee';
    return {
      subject: `${a.shop}: ${what} of ${amount}`,
      paragraphs: [a.greeting, `Under the shop's policy we charged ${what}, ${amount}, to your card on file for ${a.what} on ${a.when}.`],
      sms: `${a.shop}: ${what} of ${amount} was charged for ${a.when}.`,
    };
  },
  'payment.fee_failed': (data, _s, ctx) => {
    const a = appointment('payment.fee_failed', data, ctx);
    const amount = money(data, 'fee_charged_cents', ctx) ?? 'A fee';
    const what = str(data, 'fee_reason') === 'no_show_fee' ? 'the no-show fee' : 'the late-cancellation fee';
    return {
      subject: `${a.shop}: ${what} of ${amount} is due`,
      paragraphs: [a.greeting, `Under the shop's policy ${what}, ${amount}, is due for ${a.what} on ${a.when}, but your card could not be charged.`, 'The shop will ask you to settle it at your next visit.'],
      sms: `${a.shop}: ${what} of ${amount} for ${a.when} could not be charged to your card.`,
    };
  },
  'appointment.reminder': (data, _s, ctx) => {
    const a = appointment('appointment.reminder', data, ctx);
    // The reminder's kind (services/reminders.ts): sent from its lead until half of it has passed,
    // so "within" is true whenever it goes out, where "in 24 hours" would not be.
    const leadKey = str(data, 'lead');
    const lead = leadKey && Object.hasOwn(REMINDER_LEADS, leadKey) ? REMINDER_LEADS[leadKey] : undefined;
    if (!lead) {
      return {
        subject: `${a.shop}: reminder — ${a.when}`,
        paragraphs: [a.greeting, `A reminder of your appointment: ${a.what} on ${a.when}.`],
        sms: `${a.shop} reminder: ${a.what}, ${a.when}.`,
      };
    }
    return {
      subject: `${a.shop}: ${lead.subject} — ${a.when}`,
      paragraphs: [a.greeting, `A reminder: your appointment is ${lead.within}. ${a.what} on ${a.when}.`],
      sms: `${a.shop} reminder, ${lead.within}: ${a.what}, ${a.when}.`,
    };
  },
  verify_email: (data, secrets) => {
    const link = secrets.link;
    if (!link) throw new IncompleteMessageError('verify_email', 'secrets.link');
    const first = str(data, 'first_name');
    return {
      subject: 'Confirm your e-mail address',
      paragraphs: [first ? `Hi ${first},` : 'Hi,', 'Confirm your e-mail address to finish setting up your BookedBarber account.', 'If you did not sign up, ignore this message.'],
      action: { label: 'Confirm my e-mail', url: link },
      sms: `Confirm your BookedBarber e-mail: ${link}`,
    };
  },
  password_reset: (_data, secrets) => {
    const link = secrets.link;
    if (!link) throw new IncompleteMessageError('password_reset', 'secrets.link');
    return {
      subject: 'Reset your password',
      paragraphs: ['Someone asked to reset the password of your BookedBarber account.', 'The link works once and expires soon. If it was not you, ignore this message: your password stays as it is.'],
      action: { label: 'Choose a new password', url: link },
      sms: `Reset your BookedBarber password: ${link}`,
    };
  },
  barber_invitation: (data, secrets, ctx) => {
    const link = secrets.accept_url;
    if (!link) throw new IncompleteMessageError('barber_invitation', 'secrets.accept_url');
    const shop = str(data, 'shop_name') ?? ctx.shopName ?? 'a shop';
    const role = str(data, 'role') ?? 'barber';
    const expires = instant(data, 'expires_at');
    // The invitee joins the shop: its clock, with the zone named (formatWhen), is the one that counts.
    const zone = str(data, 'timezone') ?? ctx.timeZone ?? 'UTC';
    return {
      subject: `You are invited to join ${shop} on BookedBarber`,
      paragraphs: [
        `You are invited to join ${shop} as ${role === 'owner' ? 'an owner' : `a ${role}`}.`,
        ...(expires !== undefined ? [`The invitation is valid until ${formatWhen(expires, zone, ctx.locale)}.`] : []),
      ],
      action: { label: 'Accept the invitation', url: link },
      sms: `Join ${shop} on BookedBarber: ${link}`,
    };
  },
};

export const TEMPLATES = Object.keys(drafts);

function layout(draft: Draft): { text: string; html: string } {
  const links = draft.links ?? [];
  const text =
    [
      ...draft.paragraphs,
      ...(draft.action ? [`${draft.action.label}: ${draft.action.url}`] : []),
      ...(links.length ? [links.map((l) => `${l.label}: ${l.url}`).join('\n')] : []),
    ].join('\n\n') + '\n';
  const href = draft.action ? safeHref(draft.action.url) : null;
  const linkItems = links.flatMap((l) => {
    const url = safeHref(l.url);
    return url ? [`<a href="${url}">${escapeHtml(l.label)}</a>`] : [];
  });
  const body = [
    ...draft.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(draft.action && href ? [`<p><a href="${href}">${escapeHtml(draft.action.label)}</a></p>`, `<p style="color:#666;font-size:12px">${escapeHtml(draft.action.url)}</p>`] : []),
    ...(linkItems.length ? [`<p style="font-size:14px">${linkItems.join(' · ')}</p>`] : []),
  ].join('\n');
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(draft.subject)}</title></head>\n<body style="font-family:sans-serif;line-height:1.5">\n${body}\n</body></html>\n`;
  return { text, html };
}

function icsOf(data: Data, ctx: RenderContext, a: Appointment): Attachment {
  const id = str(data, 'appointment_id');
  if (!id) throw new IncompleteMessageError('ics', 'data.appointment_id');
  const calendar = icsCalendar(
    [
      {
        uid: `${id}@bookedbarber.app`,
        sequence: ctx.icsSequence ?? 0,
        startMs: a.startMs,
        endMs: a.endMs,
        summary: `${a.what} — ${a.shop}`,
        status: 'CONFIRMED',
      },
    ],
    { timeZone: a.zone },
    ctx.nowMs,
  );
  return { filename: 'appointment.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: calendar };
}

export function renderNotification(template: string, data: Data, secrets: Record<string, string>, ctx: RenderContext): RenderedMessage {
  const draft = drafts[template];
  if (!Object.hasOwn(drafts, template) || !draft) throw new UnknownTemplateError(template);
  const d = draft(data, secrets, ctx);
  if (ctx.links && MANAGED_TEMPLATES.has(template)) {
    d.links = [
      { label: 'View your booking', url: ctx.links.view },
      { label: 'Reschedule', url: ctx.links.reschedule },
      { label: 'Cancel', url: ctx.links.cancel },
    ];
    // One link in a text message: the page shows the booking and what can be done with it.
    d.sms = `${d.sms} Manage: ${ctx.links.view}`;
  }
  const { text, html } = layout(d);
  const attachments = d.ics ? [icsOf(data, ctx, appointment(template, data, ctx))] : [];
  return { subject: d.subject, text, html, sms: d.sms, attachments };
}

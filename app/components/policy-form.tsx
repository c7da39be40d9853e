/**
 * The booking policy as a form: which fields it has, how typed text becomes a policy, and the
 * preview of what a client reads. Pure and shared by the server (the "Preview" and "Save" posts)
 * and the browser (the live preview), so both show the same words.
 */
import type { MoneyRule, ShopPolicy } from '../../worker/db/schema';
import { moneyInputValue, parseMoneyInput, policyWords } from '../lib/format';

export const MONEY_RULES = ['deposit', 'late_cancel_fee', 'no_show_fee'] as const;
export type MoneyRuleName = (typeof MONEY_RULES)[number];

export const RULE_KINDS: Record<MoneyRuleName, { kind: MoneyRule['kind']; label: string }[]> = {
  deposit: [
    { kind: 'none', label: 'No deposit: clients pay at the shop' },
    { kind: 'percent', label: 'A percentage of the price' },
    { kind: 'fixed', label: 'A fixed amount' },
    { kind: 'full', label: 'The full price, paid when booking' },
  ],
  late_cancel_fee: [
    { kind: 'none', label: 'No fee' },
    { kind: 'percent', label: 'A percentage of the price' },
    { kind: 'fixed', label: 'A fixed amount' },
    { kind: 'full', label: 'The full price' },
  ],
  no_show_fee: [
    { kind: 'none', label: 'No fee' },
    { kind: 'percent', label: 'A percentage of the price' },
    { kind: 'fixed', label: 'A fixed amount' },
    { kind: 'full', label: 'The full price' },
  ],
};

export const RULE_LEGENDS: Record<MoneyRuleName, string> = {
  deposit: 'Deposit when booking online',
  late_cancel_fee: 'Late cancellation fee',
  no_show_fee: 'No-show fee',
};

/** The whole-number fields, in the order the form shows them, with their labels and hints. */
export const NUMBER_FIELDS = [
  { name: 'cancel_window_hours', label: 'Cancellation window (hours)', hint: 'Cancelling closer to the start than this counts as late.' },
  { name: 'hold_minutes', label: 'Hold while paying (minutes)', hint: 'How long a slot stays reserved while the client pays.' },
  { name: 'buffer_before_min', label: 'Buffer before each appointment (minutes)', hint: 'A multiple of 5.' },
  { name: 'buffer_after_min', label: 'Buffer after each appointment (minutes)', hint: 'A multiple of 5.' },
  { name: 'slot_step_min', label: 'Start times every (minutes)', hint: 'Must divide a day evenly: 5, 10, 15, 20, 30, 60…' },
  { name: 'min_notice_min', label: 'Minimum notice (minutes)', hint: 'The earliest bookable time is now plus this.' },
  { name: 'booking_window_days', label: 'Booking horizon (days)', hint: 'How far ahead clients can book.' },
  { name: 'max_future_bookings', label: 'Upcoming bookings per client', hint: 'How many future bookings one client may hold at once.' },
  { name: 'waitlist_offer_minutes', label: 'Waitlist offer lasts (minutes)', hint: 'How long a freed slot is held for the next client waiting.' },
] as const satisfies readonly { name: keyof ShopPolicy; label: string; hint: string }[];

export type NumberField = (typeof NUMBER_FIELDS)[number]['name'];

/** Every field's label, for the error summary. */
export function policyLabels(currency: string): Record<string, string> {
  const labels: Record<string, string> = { card_on_file: 'Card on file' };
  for (const f of NUMBER_FIELDS) labels[f.name] = f.label;
  for (const r of MONEY_RULES) {
    labels[`${r}_kind`] = RULE_LEGENDS[r];
    labels[`${r}_percent`] = `${RULE_LEGENDS[r]}: percentage`;
    labels[`${r}_fixed`] = `${RULE_LEGENDS[r]}: amount (${currency})`;
  }
  return labels;
}

/** The form's text values: what the inputs hold, typed or not yet valid. */
export type PolicyValues = Record<string, string>;

/** A stored policy as the form shows it. */
export function policyValues(policy: ShopPolicy, currency: string): PolicyValues {
  const values: PolicyValues = { card_on_file: policy.card_on_file ? 'on' : '' };
  for (const f of NUMBER_FIELDS) values[f.name] = String(policy[f.name]);
  for (const r of MONEY_RULES) {
    const rule = policy[r];
    values[`${r}_kind`] = rule.kind;
    values[`${r}_percent`] = rule.kind === 'percent' ? String(rule.value) : '';
    values[`${r}_fixed`] = rule.kind === 'fixed' ? moneyInputValue(rule.value, currency) : '';
  }
  return values;
}

/** The form's values from a submitted (or live) form. */
export function valuesOf(form: { get(name: string): FormDataEntryValue | null }): PolicyValues {
  const values: PolicyValues = { card_on_file: form.get('card_on_file') ? 'on' : '' };
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  for (const f of NUMBER_FIELDS) values[f.name] = text(f.name);
  for (const r of MONEY_RULES) for (const part of ['kind', 'percent', 'fixed']) values[`${r}_${part}`] = text(`${r}_${part}`);
  return values;
}

function wholeNumber(text: string): { value: number } | { error: string } {
  if (/^-\d/.test(text)) return { error: 'Must be 0 or more' };
  if (!/^\d{1,7}$/.test(text)) return { error: 'Enter a whole number' };
  return { value: Number(text) };
}

/**
 * Typed values as a policy over `base`, or what is wrong with each field. Only the shape is
 * checked here (numbers, amounts); ranges and shop rules are the services' to decide.
 */
export function parsePolicy(values: PolicyValues, base: ShopPolicy, currency: string): { policy: ShopPolicy; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const policy: ShopPolicy = { ...base, card_on_file: values.card_on_file === 'on' };
  for (const f of NUMBER_FIELDS) {
    const parsed = wholeNumber(values[f.name] ?? '');
    if ('error' in parsed) errors[f.name] = parsed.error;
    else policy[f.name] = parsed.value;
  }
  for (const r of MONEY_RULES) {
    const kind = values[`${r}_kind`] as MoneyRule['kind'];
    if (!RULE_KINDS[r].some((k) => k.kind === kind)) {
      errors[`${r}_kind`] = 'Choose one of the options';
      continue;
    }
    if (kind === 'percent') {
      const parsed = wholeNumber(values[`${r}_percent`] ?? '');
      if ('error' in parsed) errors[`${r}_percent`] = parsed.error === 'Enter a whole number' ? 'Enter a whole percentage, such as 20' : parsed.error;
      else policy[r] = { kind, value: parsed.value };
    } else if (kind === 'fixed') {
      const text = values[`${r}_fixed`] ?? '';
      const cents = parseMoneyInput(text, currency);
      if (cents === null) errors[`${r}_fixed`] = /^-\d/.test(text) ? 'Must be 0 or more' : `Enter an amount in ${currency}, such as ${moneyInputValue(1250, currency)}`;
      else policy[r] = { kind, value: cents };
    } else {
      policy[r] = { kind, value: 0 };
    }
  }
  return { policy, errors };
}

/** The form field a policy path (as the services name it, "no_show_fee.value") belongs to. */
export function fieldOfPolicyPath(path: string, policy: ShopPolicy): string {
  const [head] = path.split('.');
  const rule = MONEY_RULES.find((r) => r === head);
  if (rule) {
    const kind = policy[rule].kind;
    return kind === 'percent' ? `${rule}_percent` : kind === 'fixed' ? `${rule}_fixed` : `${rule}_kind`;
  }
  return head ?? path;
}

export interface PreviewPrice {
  id: string;
  label: string;
  priceCents: number;
}

/** What a client is told about this policy when booking at `priceCents`. */
export function PolicyPreview({ policy, priceCents, currency, locale }: { policy: ShopPolicy; priceCents: number; currency: string; locale: string }) {
  const words = policyWords(policy, priceCents, currency, locale);
  return (
    <div className="policy-preview-words">
      <p>
        <strong>Due now:</strong> {words.deposit}
      </p>
      <h3>Cancellation policy</h3>
      <ul className="policy">
        {words.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

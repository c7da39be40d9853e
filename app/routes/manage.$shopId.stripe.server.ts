import { data, redirect } from '@remix-run/cloudflare';
import Stripe from 'stripe';
import type { Services } from '../../worker/services/container';
import { paymentsStatus, startOnboarding, type PaymentsStatus } from '../../worker/services/shop-payments';
import { formatDateTime } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { office, refused, refusalOf } from './manage._index.server';

/** Stripe's disabled_reason codes, in words. */
const DISABLED: Record<string, string> = {
  'requirements.past_due': 'Stripe needs information from you that is now overdue.',
  'requirements.pending_verification': 'Stripe is checking the information you gave.',
  listed: 'Stripe has paused the account while it checks it against watch lists.',
  under_review: 'Stripe is reviewing the account.',
  platform_paused: 'Payments are paused by BookedBarber.',
  'rejected.fraud': 'Stripe rejected the account (suspected fraud).',
  'rejected.terms_of_service': 'Stripe rejected the account (terms of service).',
  'rejected.listed': 'Stripe rejected the account (watch lists).',
  'rejected.other': 'Stripe rejected the account.',
  other: 'Stripe has disabled payments on the account.',
};

/** What Stripe still asks for ("external_account", "individual.verification.document"), in words. */
const DUE: Record<string, string> = {
  external_account: 'a bank account for payouts',
  'business_profile.url': 'the business website',
  'business_profile.mcc': 'the kind of business',
  'business_profile.product_description': 'what the business sells',
  business_type: 'the type of business',
  'tos_acceptance.date': "accepting Stripe's terms",
  'tos_acceptance.ip': "accepting Stripe's terms",
  'individual.verification.document': 'an identity document',
  'individual.id_number': 'a tax or ID number',
  'individual.ssn_last_4': 'the last four digits of a Social Security number',
  'individual.dob.day': 'a date of birth',
  'individual.dob.month': 'a date of birth',
  'individual.dob.year': 'a date of birth',
  'individual.address.line1': 'an address',
  'individual.address.city': 'an address',
  'individual.address.postal_code': 'an address',
  'individual.phone': 'a phone number',
  'individual.email': 'an e-mail address',
  'individual.first_name': 'a name',
  'individual.last_name': 'a name',
};

export const dueText = (item: string) => DUE[item] ?? item.replace(/[._]+/g, ' ');

export interface StripePage {
  shopId: string;
  shopName: string;
  on: boolean;
  headline: string;
  detail: string | null;
  due: string[];
  /** The button's label, or null when nothing is to be done. */
  action: string | null;
  payouts: string | null;
  synced: string | null;
}

export function stripePage(shop: { id: string; name: string; timezone: string }, s: PaymentsStatus, locale: string): StripePage {
  const due = [...new Set(s.currently_due.map(dueText))];
  const base = { shopId: shop.id, shopName: shop.name, due, synced: s.synced_at ? formatDateTime(s.synced_at, shop.timezone, locale) : null };
  if (s.payments_enabled) {
    return {
      ...base,
      on: true,
      headline: 'Payments are on.',
      detail: 'Clients can pay deposits and prepay, and no-show and late-cancel fees can be charged to their cards.',
      action: due.length ? 'Update details' : null,
      payouts: s.payouts_enabled ? 'Payouts to your bank are on.' : 'Payouts are paused until Stripe has what it needs.',
    };
  }
  switch (s.reason) {
    case 'not_connected':
      return {
        ...base,
        on: false,
        headline: 'Payments are not set up.',
        detail: 'This shop has no Stripe account yet, so bookings that need a deposit or a card on file cannot be taken.',
        action: 'Set up payments',
        payouts: null,
      };
    case 'onboarding_incomplete':
      return {
        ...base,
        on: false,
        headline: 'Stripe setup is not finished.',
        detail: 'Payments stay off until you finish telling Stripe about the business.',
        action: 'Continue setup',
        payouts: null,
      };
    case 'under_review':
      return { ...base, on: false, headline: 'Stripe is reviewing the account.', detail: 'Payments go on when Stripe has checked it.', action: 'Continue setup', payouts: null };
    default:
      return {
        ...base,
        on: false,
        headline: 'Payments are off.',
        detail: `${DISABLED[s.reason ?? 'other'] ?? DISABLED.other!} (Stripe: ${s.reason ?? 'disabled'})`,
        action: 'Continue setup',
        payouts: null,
      };
  }
}

const unreachable = (err: unknown) => err instanceof Stripe.errors.StripeError && !(err instanceof Stripe.errors.StripeInvalidRequestError);

export async function loadStripe(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return refused(o);
  try {
    const status = await paymentsStatus(services, o.userId, o.shop.id);
    return data({ page: stripePage(o.shop, status, visitorLocale(request)), problem: null, status: 200 }, { headers: o.headers });
  } catch (err) {
    const r = refusalOf(err);
    return data({ page: null, problem: r.problem, status: r.status }, { status: r.status, headers: o.headers });
  }
}

/** "Set up payments" / "Continue setup": a fresh Account Link, and off to Stripe. */
export async function onboard(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return data({ problem: o.problem }, { status: o.status, headers: o.headers });
  try {
    const { url } = await startOnboarding(services, o.userId, o.shop.id);
    return redirect(url, { headers: o.headers });
  } catch (err) {
    if (unreachable(err)) {
      services.logger.warn('Stripe onboarding link failed', { err });
      return data({ problem: 'Stripe could not be reached, so setup did not start. Please try again in a moment.' }, { status: 503, headers: o.headers });
    }
    const r = refusalOf(err);
    return data({ problem: r.problem }, { status: r.status, headers: o.headers });
  }
}

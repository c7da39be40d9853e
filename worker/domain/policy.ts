import type { MoneyRule, ShopPolicy } from '../db/schema';

/** A rule violation with the path of the offending field, relative to the policy object. */
export interface PolicyViolation {
  path: string;
  message: string;
}

/** The fields that are money rules, in the order they are reported. */
export const MONEY_RULE_FIELDS = ['deposit', 'late_cancel_fee', 'no_show_fee'] as const;
export type MoneyRuleField = (typeof MONEY_RULE_FIELDS)[number];

/**
 * The largest fixed amount the policy may charge for one appointment. Service prices must stay
 * at or above it (a fee or deposit larger than the price would be a surprise to the client and
 * breaks appointments_deposit_check), so catalogue writes check prices against this.
 */
export function largestFixedCharge(policy: ShopPolicy): number {
  return Math.max(0, ...MONEY_RULE_FIELDS.map((f) => (policy[f].kind === 'fixed' ? policy[f].value : 0)));
}

function checkRule(field: MoneyRuleField, rule: MoneyRule, cheapestPriceCents: number | null): PolicyViolation[] {
  const path = `${field}.value`;
  if (rule.kind === 'none' || rule.kind === 'full') {
    return rule.value === 0 ? [] : [{ path, message: `Must be 0 when kind is "${rule.kind}"` }];
  }
  if (!Number.isInteger(rule.value) || rule.value < 0) {
    return [{ path, message: 'Must be a whole number, 0 or more' }];
  }
  if (rule.kind === 'percent') {
    return rule.value <= 100 ? [] : [{ path, message: 'A percentage must be between 0 and 100' }];
  }
  if (cheapestPriceCents !== null && rule.value > cheapestPriceCents) {
    return [
      {
        path,
        message: `A fixed amount may not exceed the cheapest active service price (${cheapestPriceCents} minor units)`,
      },
    ];
  }
  return [];
}

/**
 * Business rules of a complete shop policy (shape and ranges are the API schema's job).
 * `cheapestPriceCents` is the lowest price among the shop's active services and their
 * per-barber overrides, or null when there are none yet (nothing to compare against).
 */
export function validatePolicy(policy: ShopPolicy, cheapestPriceCents: number | null): PolicyViolation[] {
  const violations = MONEY_RULE_FIELDS.flatMap((f) => checkRule(f, policy[f], cheapestPriceCents));
  // A hold shorter than the time a client needs to pay would expire under every checkout.
  if (policy.deposit.kind !== 'none' && policy.hold_minutes < 5) {
    violations.push({ path: 'hold_minutes', message: 'Must be at least 5 minutes when a deposit is taken' });
  }
  return violations;
}

/** Why a price is refused under `policy`, or null when it is acceptable. */
export function priceViolation(priceCents: number, policy: ShopPolicy): string | null {
  const largest = largestFixedCharge(policy);
  return priceCents < largest
    ? `Must be at least ${largest} minor units: the shop policy charges a fixed fee or deposit of that much`
    : null;
}

import type { MoneyRule } from '../db/schema';

/**
 * Money is integer minor units of the shop's currency everywhere; nothing here knows a currency's
 * exponent because nothing here needs to (a percentage of 2500 JPY and of 2500 USD cents round the
 * same way). Rounding is half-up on the exact rational value, so 15 % of 2999 is 450, not 449.
 */

/** The amount a rule asks for on a price: never negative, never more than the price. */
export function amountFor(rule: MoneyRule, priceCents: number): number {
  if (priceCents <= 0) return 0;
  switch (rule.kind) {
    case 'none':
      return 0;
    case 'percent':
      return Math.min(priceCents, Math.floor((priceCents * rule.value + 50) / 100));
    case 'fixed':
      return Math.min(priceCents, Math.max(0, rule.value));
    case 'full':
      return priceCents;
  }
}

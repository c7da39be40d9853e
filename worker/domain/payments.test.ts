import { describe, expect, it } from 'vitest';
import { amountFor } from './money';
import { owedCents, platformFee, upfrontKind, type MoneyState } from './payments';

const FEE = { bps: 500, fixedCents: 30 }; // 5 % + 30, as vitest.config.ts configures the Worker

describe('platformFee', () => {
  it('is the percentage plus the fixed part', () => {
    expect(platformFee(1000, FEE)).toBe(80);
    expect(platformFee(3000, FEE)).toBe(180);
    expect(platformFee(2500, { bps: 0, fixedCents: 50 })).toBe(50);
    expect(platformFee(2500, { bps: 1000, fixedCents: 0 })).toBe(250);
  });

  it('rounds the percentage half-up on the exact value', () => {
    // 5 % of 30 is 1.5 → 2; of 29 is 1.45 → 1; of 10 is 0.5 → 1; of 9 is 0.45 → 0.
    expect(platformFee(30, { bps: 500, fixedCents: 0 })).toBe(2);
    expect(platformFee(29, { bps: 500, fixedCents: 0 })).toBe(1);
    expect(platformFee(10, { bps: 500, fixedCents: 0 })).toBe(1);
    expect(platformFee(9, { bps: 500, fixedCents: 0 })).toBe(0);
    // 2.9 % of 2999 is 86.971 → 87; of 1550 is 44.95 → 45.
    expect(platformFee(2999, { bps: 290, fixedCents: 0 })).toBe(87);
    expect(platformFee(1550, { bps: 290, fixedCents: 0 })).toBe(45);
    // The same in a zero-decimal currency: 5 % of 2510 JPY is 125.5 → 126, plus 30.
    expect(platformFee(2510, FEE)).toBe(156);
  });

  it('never takes more than the charge itself', () => {
    expect(platformFee(20, FEE)).toBe(20);
    expect(platformFee(31, FEE)).toBe(31);
    expect(platformFee(100, { bps: 10_000, fixedCents: 500 })).toBe(100);
    expect(platformFee(1, FEE)).toBe(1);
  });

  it('is zero on nothing, and never negative', () => {
    expect(platformFee(0, FEE)).toBe(0);
    expect(platformFee(-500, FEE)).toBe(0);
    expect(platformFee(1000, { bps: 0, fixedCents: 0 })).toBe(0);
    // A misconfigured negative fixed part counts as none, not as a discount.
    expect(platformFee(1000, { bps: 500, fixedCents: -30 })).toBe(50);
  });
});

describe('upfrontKind', () => {
  it('calls the whole price (or more) a prepayment and anything less a deposit', () => {
    expect(upfrontKind(3000, 3000)).toBe('full');
    expect(upfrontKind(3500, 3000)).toBe('full');
    expect(upfrontKind(2999, 3000)).toBe('deposit');
    expect(upfrontKind(600, 3000)).toBe('deposit');
  });
});

describe('owedCents', () => {
  const m = (overrides: Partial<MoneyState>): MoneyState => ({
    status: 'confirmed',
    priceCents: 3000,
    paidCents: 0,
    refundedCents: 0,
    feeCents: 0,
    ...overrides,
  });

  it.each(['held', 'pending_payment', 'confirmed', 'completed'])('%s: the price not yet paid (net of refunds)', (status) => {
    expect(owedCents(m({ status }))).toBe(3000);
    expect(owedCents(m({ status, paidCents: 600 }))).toBe(2400);
    expect(owedCents(m({ status, paidCents: 600, refundedCents: 200 }))).toBe(2600);
    expect(owedCents(m({ status, paidCents: 3000 }))).toBe(0);
    // A fee recorded on it does not matter while it is going ahead.
    expect(owedCents(m({ status, paidCents: 600, feeCents: 5000 }))).toBe(2400);
  });

  it.each(['cancelled', 'no_show'])('%s: the fee not covered by what they kept paid', (status) => {
    expect(owedCents(m({ status }))).toBe(0);
    expect(owedCents(m({ status, feeCents: 1500 }))).toBe(1500);
    expect(owedCents(m({ status, feeCents: 1500, paidCents: 1000 }))).toBe(500);
    // A deposit kept as the fee: nothing more is owed.
    expect(owedCents(m({ status, feeCents: 1000, paidCents: 1000 }))).toBe(0);
    // Refunded money no longer covers the fee.
    expect(owedCents(m({ status, feeCents: 1500, paidCents: 1000, refundedCents: 1000 }))).toBe(1500);
  });

  it('is never negative', () => {
    expect(owedCents(m({ status: 'confirmed', paidCents: 5000 }))).toBe(0);
    expect(owedCents(m({ status: 'cancelled', paidCents: 1000, feeCents: 0 }))).toBe(0);
    expect(owedCents(m({ status: 'no_show', paidCents: 3000, feeCents: 1500 }))).toBe(0);
  });
});

describe("amountFor with kind 'full'", () => {
  it('asks for the whole price, whatever the value says', () => {
    expect(amountFor({ kind: 'full', value: 0 }, 3000)).toBe(3000);
    expect(amountFor({ kind: 'full', value: 0 }, 1)).toBe(1);
    expect(amountFor({ kind: 'full', value: 50 }, 2500)).toBe(2500);
  });

  it('is nothing on a free service', () => {
    expect(amountFor({ kind: 'full', value: 0 }, 0)).toBe(0);
    expect(amountFor({ kind: 'full', value: 0 }, -100)).toBe(0);
  });

  it('makes a prepayment, not a deposit', () => {
    expect(upfrontKind(amountFor({ kind: 'full', value: 0 }, 4200), 4200)).toBe('full');
    expect(upfrontKind(amountFor({ kind: 'percent', value: 20 }, 4200), 4200)).toBe('deposit');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_POLICY, type MoneyRule } from '../db/schema';
import { decideCancellation, decideNoShow, isInsideCancelWindow } from './cancellation';
import { amountFor } from './money';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 1, 12);
const policy = (fee: MoneyRule, hours = 24) => ({ ...DEFAULT_SHOP_POLICY, cancel_window_hours: hours, late_cancel_fee: fee, no_show_fee: fee });

describe('amountFor', () => {
  it('rounds percentages half up and caps every amount at the price', () => {
    expect(amountFor({ kind: 'percent', value: 15 }, 2999)).toBe(450);
    expect(amountFor({ kind: 'percent', value: 50 }, 1)).toBe(1);
    expect(amountFor({ kind: 'percent', value: 100 }, 4000)).toBe(4000);
    expect(amountFor({ kind: 'fixed', value: 9000 }, 4000)).toBe(4000);
    expect(amountFor({ kind: 'none', value: 0 }, 4000)).toBe(0);
    expect(amountFor({ kind: 'fixed', value: 500 }, 0)).toBe(0);
  });

  it('never goes negative or above the price', () => {
    fc.assert(
      fc.property(fc.constantFrom('none', 'percent', 'fixed'), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 1_000_000 }), (kind, value, price) => {
        const rule = { kind, value: kind === 'percent' ? value % 101 : kind === 'none' ? 0 : value } as MoneyRule;
        const amount = amountFor(rule, price);
        return Number.isInteger(amount) && amount >= 0 && amount <= price;
      }),
    );
  });
});

describe('decideCancellation', () => {
  const start = now + 48 * HOUR;
  it('outside the window: everything paid comes back', () => {
    expect(decideCancellation({ policy: policy({ kind: 'fixed', value: 1500 }), startMs: start, nowMs: now, priceCents: 4000, paidCents: 1000, by: 'client' })).toEqual({
      outcome: 'refund',
      late: false,
      feeCents: 0,
      refundCents: 1000,
      chargeCents: 0,
    });
  });

  it('inside the window: the late fee, paid money counted towards it, the rest refunded or charged', () => {
    const p = policy({ kind: 'fixed', value: 1500 }, 72);
    expect(decideCancellation({ policy: p, startMs: start, nowMs: now, priceCents: 4000, paidCents: 1000, by: 'client' })).toMatchObject({ outcome: 'late_fee', feeCents: 1500, refundCents: 0, chargeCents: 500 });
    expect(decideCancellation({ policy: p, startMs: start, nowMs: now, priceCents: 4000, paidCents: 4000, by: 'client' })).toMatchObject({ outcome: 'late_fee', feeCents: 1500, refundCents: 2500, chargeCents: 0 });
  });

  it('inside the window without a fee: a paid deposit is kept; nothing paid, nothing owed', () => {
    const p = policy({ kind: 'none', value: 0 }, 72);
    expect(decideCancellation({ policy: p, startMs: start, nowMs: now, priceCents: 4000, paidCents: 800, by: 'client' })).toMatchObject({ outcome: 'keep_deposit', feeCents: 800, refundCents: 0 });
    expect(decideCancellation({ policy: p, startMs: start, nowMs: now, priceCents: 4000, paidCents: 0, by: 'client' })).toMatchObject({ outcome: 'none', feeCents: 0 });
  });

  it('the shop cancelling always refunds in full', () => {
    expect(decideCancellation({ policy: policy({ kind: 'fixed', value: 1500 }, 72), startMs: start, nowMs: now, priceCents: 4000, paidCents: 1000, by: 'shop' })).toMatchObject({ outcome: 'refund', refundCents: 1000, feeCents: 0 });
  });

  it('the window edge: exactly window hours before is outside, a millisecond later inside', () => {
    const p = policy({ kind: 'none', value: 0 }, 24);
    expect(isInsideCancelWindow(p, now + 24 * HOUR, now)).toBe(false);
    expect(isInsideCancelWindow(p, now + 24 * HOUR - 1, now)).toBe(true);
  });

  it('money is conserved: fee + refund = paid + charge, and the fee never exceeds the price', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom<'client' | 'shop'>('client', 'shop'),
        fc.integer({ min: 0, max: 96 }),
        (price, paidPct, feePct, by, hoursAhead) => {
          const paid = Math.floor((price * paidPct) / 100);
          const d = decideCancellation({ policy: policy({ kind: 'percent', value: Math.min(feePct, 100) }), startMs: now + hoursAhead * HOUR, nowMs: now, priceCents: price, paidCents: paid, by });
          return d.feeCents + d.refundCents === paid + d.chargeCents && d.feeCents <= Math.max(price, paid) && d.refundCents <= paid;
        },
      ),
    );
  });
});

describe('decideNoShow', () => {
  it('charges the no-show fee (paid counted), or keeps a paid deposit when there is no fee', () => {
    expect(decideNoShow({ policy: policy({ kind: 'percent', value: 50 }), priceCents: 3000, paidCents: 500 })).toMatchObject({ outcome: 'no_show_fee', feeCents: 1500, chargeCents: 1000, refundCents: 0 });
    expect(decideNoShow({ policy: policy({ kind: 'none', value: 0 }), priceCents: 3000, paidCents: 500 })).toMatchObject({ outcome: 'no_show_fee', feeCents: 500, chargeCents: 0 });
    expect(decideNoShow({ policy: policy({ kind: 'none', value: 0 }), priceCents: 3000, paidCents: 0 })).toMatchObject({ outcome: 'none', feeCents: 0 });
    expect(decideNoShow({ policy: policy({ kind: 'fixed', value: 99_999 }), priceCents: 3000, paidCents: 0 }).feeCents).toBe(3000);
  });
});

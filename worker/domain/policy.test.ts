import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from '../db/schema';
import { largestFixedCharge, priceViolation, validatePolicy } from './policy';

const policy = (overrides: Partial<ShopPolicy>): ShopPolicy => ({ ...DEFAULT_SHOP_POLICY, ...overrides });

describe('validatePolicy', () => {
  it('accepts the default policy with or without services', () => {
    expect(validatePolicy(DEFAULT_SHOP_POLICY, null)).toEqual([]);
    expect(validatePolicy(DEFAULT_SHOP_POLICY, 0)).toEqual([]);
  });

  it('accepts percentages 0..100 and rejects more', () => {
    expect(validatePolicy(policy({ deposit: { kind: 'percent', value: 100 } }), 1000)).toEqual([]);
    expect(validatePolicy(policy({ deposit: { kind: 'percent', value: 0 } }), 1000)).toEqual([]);
    expect(validatePolicy(policy({ no_show_fee: { kind: 'percent', value: 101 } }), 1000)).toEqual([
      { path: 'no_show_fee.value', message: expect.stringContaining('between 0 and 100') },
    ]);
  });

  it('rejects fixed amounts above the cheapest service price, naming each field', () => {
    const p = policy({
      deposit: { kind: 'fixed', value: 2500 },
      late_cancel_fee: { kind: 'fixed', value: 2000 },
      no_show_fee: { kind: 'fixed', value: 2001 },
    });
    expect(validatePolicy(p, 2000).map((v) => v.path)).toEqual(['deposit.value', 'no_show_fee.value']);
  });

  it('allows a fixed amount equal to the cheapest price, and any amount with no services yet', () => {
    expect(validatePolicy(policy({ deposit: { kind: 'fixed', value: 2000 } }), 2000)).toEqual([]);
    expect(validatePolicy(policy({ deposit: { kind: 'fixed', value: 99_999 } }), null)).toEqual([]);
  });

  it('rejects negative, fractional and stray values', () => {
    expect(validatePolicy(policy({ late_cancel_fee: { kind: 'fixed', value: -1 } }), null).map((v) => v.path)).toEqual([
      'late_cancel_fee.value',
    ]);
    expect(validatePolicy(policy({ deposit: { kind: 'percent', value: 12.5 } }), null).map((v) => v.path)).toEqual([
      'deposit.value',
    ]);
    expect(validatePolicy(policy({ deposit: { kind: 'none', value: 5 } }), null).map((v) => v.path)).toEqual([
      'deposit.value',
    ]);
  });

  it('requires a usable hold when a deposit is taken', () => {
    expect(validatePolicy(policy({ hold_minutes: 2, deposit: { kind: 'percent', value: 20 } }), null)).toEqual([
      { path: 'hold_minutes', message: expect.any(String) },
    ]);
    expect(validatePolicy(policy({ hold_minutes: 2 }), null)).toEqual([]);
  });
});

describe('largestFixedCharge / priceViolation', () => {
  const p = policy({ deposit: { kind: 'percent', value: 50 }, no_show_fee: { kind: 'fixed', value: 1500 } });

  it('ignores percentages and takes the largest fixed amount', () => {
    expect(largestFixedCharge(p)).toBe(1500);
    expect(largestFixedCharge(DEFAULT_SHOP_POLICY)).toBe(0);
  });

  it('refuses prices below it', () => {
    expect(priceViolation(1499, p)).toMatch(/at least 1500/);
    expect(priceViolation(1500, p)).toBeNull();
    expect(priceViolation(0, DEFAULT_SHOP_POLICY)).toBeNull();
  });
});

describe("kind 'full' (the whole price)", () => {
  it('is accepted for a deposit (prepay) and for fees, with value 0, at any price', () => {
    const full = { kind: 'full' as const, value: 0 };
    expect(validatePolicy(policy({ deposit: full, late_cancel_fee: full, no_show_fee: full }), 500)).toEqual([]);
    expect(validatePolicy(policy({ deposit: full }), null)).toEqual([]);
  });

  it('rejects a stray value, like none', () => {
    expect(validatePolicy(policy({ no_show_fee: { kind: 'full', value: 1500 } }), null)).toEqual([
      { path: 'no_show_fee.value', message: expect.stringContaining('"full"') },
    ]);
  });

  it('still requires a usable hold when it is the deposit', () => {
    expect(validatePolicy(policy({ hold_minutes: 2, deposit: { kind: 'full', value: 0 } }), null).map((v) => v.path)).toEqual(['hold_minutes']);
  });

  it('puts no floor under prices: it follows the price', () => {
    const p = policy({ deposit: { kind: 'full', value: 0 }, no_show_fee: { kind: 'full', value: 0 } });
    expect(largestFixedCharge(p)).toBe(0);
    expect(priceViolation(1, p)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { passwordIssues } from './password-policy';

const codes = (pw: string, account = {}) => passwordIssues(pw, account).map((i) => i.code);

describe('passwordIssues', () => {
  it('accepts a long, unremarkable passphrase', () => {
    expect(codes('maple tram 42 violin')).toEqual([]);
  });

  it('enforces length in characters, not bytes', () => {
    expect(codes('short1')).toContain('too_short');
    expect(codes('é'.repeat(3) + 'bcdefgh')).toEqual([]);
    expect(codes('x'.repeat(129))).toContain('too_long');
  });

  it('rejects common and repetitive passwords', () => {
    expect(codes('Password123')).toContain('too_common');
    expect(codes('aaaaaaaaaaaa')).toContain('repetitive');
    expect(codes('abababababab')).toContain('repetitive');
  });

  it('rejects passwords containing the account', () => {
    expect(codes('john.smith-2026', { email: 'john.smith@example.test' })).toContain('contains_account');
    expect(codes('my-name-is-Fatima!', { names: ['Fatima'] })).toContain('contains_account');
    expect(codes('kite surfing 99', { names: ['Al'] })).toEqual([]);
  });
});

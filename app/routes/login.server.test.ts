import { describe, expect, it } from 'vitest';
import { safeNext } from './login.server';

const at = (next: string) => safeNext(new Request(`https://bookedbarber.app/login?next=${encodeURIComponent(next)}`));

describe('safeNext', () => {
  it('keeps paths on our own origin', () => {
    expect(at('/account')).toBe('/account');
    expect(at('/s/fade-street?tab=hours')).toBe('/s/fade-street?tab=hours');
  });

  it('refuses every way of leaving the site', () => {
    for (const evil of ['//evil.example/x', '/\\evil.example', '/\t/evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
      expect(at(evil)).toBe('/account');
    }
  });

  it('falls back when there is no next', () => {
    expect(safeNext(new Request('https://bookedbarber.app/login'))).toBe('/account');
  });
});

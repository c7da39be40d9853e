import { describe, expect, it } from 'vitest';
import { canonicalTimeZone } from './timezone';

describe('canonicalTimeZone', () => {
  it('accepts IANA zones and keeps their canonical spelling', () => {
    expect(canonicalTimeZone('America/New_York')).toBe('America/New_York');
    expect(canonicalTimeZone('Europe/London')).toBe('Europe/London');
    // ICU may canonicalise three-part names to their older alias; either way it is accepted.
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it('canonicalises case', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
  });

  it('rejects unknown zones, offsets and junk', () => {
    for (const bad of ['Mars/Olympus_Mons', 'Europe/Londn', '+05:00', 'GMT+5', '', ' ', 'New York', '../etc/passwd']) {
      expect(canonicalTimeZone(bad), bad).toBeNull();
    }
  });
});

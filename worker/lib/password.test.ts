import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, PBKDF2_ITERATIONS, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored.startsWith(`pbkdf2-sha256$${PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('rejects malformed stored values instead of throwing', async () => {
    for (const bad of ['', 'plain', 'bcrypt$10$x$y', 'pbkdf2-sha256$0$AAAA$AAAA', 'pbkdf2-sha256$abc$AAAA$AAAA']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('asks for a rehash when the parameters change', async () => {
    expect(needsRehash(await hashPassword('x'))).toBe(false);
    expect(needsRehash(await hashPassword('x', 1000))).toBe(true);
  });
});

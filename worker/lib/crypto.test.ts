// Web-standard APIs only: this file also runs inside workerd.
import { describe, expect, it } from 'vitest';
import {
  FieldCryptoError,
  decryptField,
  encryptField,
  encryptPhone,
  fieldKeyId,
  generateFieldKey,
  normalizePhone,
  parseKeyring,
  parseFieldKeyring,
  decryptPhone,
  phoneLast4,
  reencryptField,
} from './crypto';

const K1 = `k1:${generateFieldKey()}`;
const K2 = `k2:${generateFieldKey()}`;

async function expectCryptoError(p: Promise<unknown>, code: FieldCryptoError['code']) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldCryptoError);
  expect((err as FieldCryptoError).code).toBe(code);
  return err as FieldCryptoError;
}

/** Flips one bit of the base64url character at `index` in a token part. */
function flip(part: string, index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = part[index] as string;
  const swapped = alphabet[alphabet.indexOf(c) ^ 1] as string;
  return part.slice(0, index) + swapped + part.slice(index + 1);
}

describe('encryptField / decryptField', () => {
  it('round-trips unicode and empty strings', async () => {
    for (const plain of ['', '12125550134', 'Zoë — ☎ 07700 900123', 'x'.repeat(5000)]) {
      const token = await encryptField(plain, K1);
      expect(await decryptField(token, K1)).toBe(plain);
    }
  });

  it('produces v1.<kid>.<iv>.<ct> with a 12-byte IV and no plaintext', async () => {
    const token = await encryptField('12125550134', K1);
    const [v, kid, iv, ct] = token.split('.');
    expect(v).toBe('v1');
    expect(kid).toBe('k1');
    expect(iv).toMatch(/^[A-Za-z0-9_-]{16}$/); // 12 bytes → 16 base64url chars
    expect(ct).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('2125550134');
  });

  it('uses a fresh IV for every encryption', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => encryptField('same', K1)));
    const ivs = new Set(tokens.map((t) => t.split('.')[2]));
    expect(ivs.size).toBe(50);
    expect(new Set(tokens).size).toBe(50);
  });

  it('detects a modified ciphertext', async () => {
    const token = await encryptField('12125550134', K1);
    const [v, kid, iv, ct] = token.split('.') as [string, string, string, string];
    await expectCryptoError(decryptField([v, kid, iv, flip(ct, 3)].join('.'), K1), 'tampered');
    // The GCM tag is the last 16 bytes of the ciphertext part.
    await expectCryptoError(decryptField([v, kid, iv, flip(ct, ct.length - 2)].join('.'), K1), 'tampered');
  });

  it('detects a modified IV', async () => {
    const token = await encryptField('12125550134', K1);
    const [v, kid, iv, ct] = token.split('.') as [string, string, string, string];
    await expectCryptoError(decryptField([v, kid, flip(iv, 0), ct].join('.'), K1), 'tampered');
  });

  it('detects a token relabelled with another kid (header is authenticated)', async () => {
    const sameKey = K1.slice(3);
    const ring = `k1:${sameKey},k9:${sameKey}`; // two kids, identical key material
    const token = await encryptField('secret', ring);
    expect(fieldKeyId(token)).toBe('k1');
    await expectCryptoError(decryptField(token.replace('v1.k1.', 'v1.k9.'), ring), 'tampered');
  });

  it('fails on the wrong key with the same kid', async () => {
    const token = await encryptField('secret', K1);
    await expectCryptoError(decryptField(token, `k1:${generateFieldKey()}`), 'tampered');
  });

  it('names the unknown kid clearly', async () => {
    const token = await encryptField('secret', K2);
    const err = await expectCryptoError(decryptField(token, K1), 'unknown_kid');
    expect(err.message).toContain('"k2"');
  });

  it('rejects malformed tokens', async () => {
    for (const bad of ['', 'plain text', 'v2.k1.aaa.bbb', 'v1.k1.aaa', 'v1.k1.a+b.ccc', 'v1.k1.AAAA.AAAA']) {
      await expectCryptoError(decryptField(bad, K1), 'malformed');
    }
  });
});

describe('key rotation', () => {
  it('old ciphertexts still decrypt after a newer key is prepended; new ones use the new kid', async () => {
    const old = await encryptField('07700900123', K1);
    const rotated = `${K2},${K1}`;
    expect(await decryptField(old, rotated)).toBe('07700900123');

    const fresh = await encryptField('07700900123', rotated);
    expect(fieldKeyId(fresh)).toBe('k2');
    expect(await decryptField(fresh, rotated)).toBe('07700900123');
    // …and the old ring alone cannot read it.
    await expectCryptoError(decryptField(fresh, K1), 'unknown_kid');
  });

  it('reencryptField moves old tokens to the newest key and leaves current ones alone', async () => {
    const rotated = `${K2},${K1}`;
    const old = await encryptField('x', K1);
    const moved = await reencryptField(old, rotated);
    expect(fieldKeyId(moved)).toBe('k2');
    expect(await decryptField(moved, K2)).toBe('x');
    expect(await reencryptField(moved, rotated)).toBe(moved);
  });
});

describe('parseKeyring', () => {
  it('takes the first entry as current and accepts url-safe base64 and spaces', async () => {
    const urlSafe = (K2.slice(3) as string).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const ring = await parseKeyring(` k2:${urlSafe} , ${K1} `);
    expect(ring.currentKid).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
  });

  it('parses synchronously into key ids (material hidden) and imports the keys once', async () => {
    const ring = parseFieldKeyring(`${K2},${K1}`);
    expect(ring.currentKid).toBe('k2');
    expect(ring.kids).toEqual(['k2', 'k1']);
    expect(JSON.stringify(ring)).not.toContain(K2.slice(3));
    expect(String(ring)).not.toContain(K2.slice(3));
    expect(await ring.keys()).toBe(await ring.keys());
    const token = await encryptField('07700900123', ring);
    expect(fieldKeyId(token)).toBe('k2');
    expect(await decryptField(token, `${K2}`)).toBe('07700900123');
  });

  it('never echoes key material in its errors', () => {
    const key = generateFieldKey();
    for (const bad of [key, `${key}:k1`, `k1:${key},${key}`, `k1:${key.slice(0, 20)}`]) {
      let message = '';
      try {
        parseFieldKeyring(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(FieldCryptoError);
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(key.slice(0, 12));
    }
  });

  it('rejects bad keyrings with a clear error', async () => {
    await expectCryptoError(parseKeyring(''), 'bad_keyring');
    await expectCryptoError(parseKeyring('nokid'), 'bad_keyring');
    await expectCryptoError(parseKeyring('k1:c2hvcnQ='), 'bad_keyring'); // 5 bytes
    await expectCryptoError(parseKeyring('k.1:' + generateFieldKey()), 'bad_keyring');
    await expectCryptoError(parseKeyring(`${K1},${K1}`), 'bad_keyring');
    await expectCryptoError(parseKeyring('k1:!!!notbase64!!!'), 'bad_keyring');
  });
});

describe('phone helpers', () => {
  it('normalises to digits only', () => {
    expect(normalizePhone('+1 (212) 555-0134')).toBe('12125550134');
    expect(normalizePhone('07700 900123')).toBe('07700900123');
    expect(normalizePhone('n/a')).toBe('');
  });

  it('derives the last four digits', () => {
    expect(phoneLast4('+44 7700 900123')).toBe('0123');
    expect(phoneLast4('12')).toBe('12');
    expect(phoneLast4('')).toBeNull();
  });

  it('encryptPhone stores digits encrypted plus last4, never the plaintext', async () => {
    const { phoneEnc, phoneLast4: last4 } = await encryptPhone('+1 (212) 555-0134', K1);
    expect(last4).toBe('0134');
    expect(phoneEnc).not.toContain('2125550134');
    expect(await decryptField(phoneEnc as string, K1)).toBe('12125550134');
    expect(await encryptPhone(null, K1)).toEqual({ phoneEnc: null, phoneLast4: null });
    expect(await encryptPhone(' - ', K1)).toEqual({ phoneEnc: null, phoneLast4: null });
  });
});

describe('decryptPhone', () => {
  it('reads a phone, and answers null with a warning for one it cannot read (key retired, tampered)', async () => {
    const warnings: Record<string, unknown>[] = [];
    const warn = (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, ...fields });
    const current = await encryptField('12125550134', K1);
    expect(await decryptPhone(current, K1, { warn })).toBe('12125550134');
    expect(warnings).toEqual([]);

    const retired = await encryptField('12125550134', K2);
    expect(await decryptPhone(retired, K1, { warn })).toBeNull();
    const [v, kid, iv, ct] = current.split('.') as [string, string, string, string];
    expect(await decryptPhone([v, kid, iv, flip(ct, 2)].join('.'), K1, { warn })).toBeNull();
    expect(warnings).toEqual([
      { msg: 'encrypted field unreadable', field: 'users.phone_enc', kid: 'k2', reason: 'unknown_kid' },
      { msg: 'encrypted field unreadable', field: 'users.phone_enc', kid: 'k1', reason: 'tampered' },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('2125550134');
  });
});

describe('samePhone', () => {
  it('matches the same line with or without its country code, and nothing shorter', async () => {
    const { samePhone } = await import('./crypto');
    expect(samePhone('2125550100', '2125550100')).toBe(true);
    expect(samePhone('12125550100', '2125550100')).toBe(true);
    expect(samePhone('447700900123', '7700900123')).toBe(true);
    expect(samePhone('16465550100', '12125550100')).toBe(false);
    expect(samePhone('5550100', '2125550100')).toBe(false);
    expect(samePhone('', '')).toBe(false);
  });
});

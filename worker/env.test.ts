import { env } from 'cloudflare:test';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadReadyConfig } from './env';
import { keyring } from './auth/jwt';
import { decryptField, encryptField, generateFieldKey } from './lib/crypto';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

async function newJwk(kid: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

/** The ConfigError a configuration raises (synchronously or once keys are imported). */
async function configIssues(vars: Partial<Record<keyof Env, string>>): Promise<string[]> {
  try {
    await loadReadyConfig({ ...env, ...vars } as Env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('parses the bindings once and splits lists', () => {
    const config = loadConfig(env);
    expect(config.APP_ENV).toBe('test');
    expect(config.CORS_ORIGINS).toEqual(['http://127.0.0.1:8787']);
    expect(loadConfig(env)).toBe(config);
  });

  it('fails loudly, naming every bad variable', () => {
    const broken = { ...env, DATABASE_URL: 'mysql://nope', STRIPE_SECRET_KEY: 'pk_live_public', APP_ORIGIN: 'not a url' };
    try {
      loadConfig(broken);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).issues.join('\n');
      expect(text).toContain('DATABASE_URL');
      expect(text).toContain('STRIPE_SECRET_KEY');
      expect(text).toContain('APP_ORIGIN');
    }
  });

  it('turns a misconfigured deployment into a 500 problem without leaking the details', async () => {
    const { createApp } = await import('./app');
    const res = await createApp().request('/api/v1/health', {}, { ...env, STRIPE_SECRET_KEY: 'oops' }, {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toContain('STRIPE_SECRET_KEY');
  });

  it('parses the keyrings once: consumers get key ids and imported keys, never strings to re-parse', async () => {
    const config = await loadReadyConfig(env);
    expect(config.FIELD_ENCRYPTION_KEYS.currentKid).toBe('k2');
    expect(config.FIELD_ENCRYPTION_KEYS.kids).toEqual(['k2', 'k1']);
    expect(config.JWT_SIGNING_KEYS.kids).toEqual(['test-key-1']);
    expect((await keyring(config.JWT_SIGNING_KEYS)).signingKid).toBe('test-key-1');
    // Serialising the config (a debug log, say) never prints key material.
    const text = JSON.stringify(config);
    expect(text).not.toContain(env.FIELD_ENCRYPTION_KEYS.split(',')[0]!.split(':')[1]!);
    expect(text).not.toContain(JSON.parse(env.JWT_SIGNING_KEYS)[0].d);
    expect(await decryptField(await encryptField('x', config.FIELD_ENCRYPTION_KEYS), config.FIELD_ENCRYPTION_KEYS)).toBe('x');
  });

  it.each([
    ['not JSON', () => '{nope', /JSON array/],
    ['an empty array', () => '[]', /at least one key/],
    ['a symmetric key', () => JSON.stringify([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h1' }]), /P-256/],
    ['a key without kid', async () => JSON.stringify([{ ...(await newJwk('x')), kid: undefined }]), /kid/],
    ['two keys with one kid', async () => JSON.stringify([await newJwk('same'), await newJwk('same')]), /duplicate kid "same"/],
    ['a public key only', async () => JSON.stringify([{ ...(await newJwk('pub')), d: undefined }]), /private/],
    ['a point off the curve', async () => {
      const jwk = await newJwk('bent');
      return JSON.stringify([{ ...jwk, y: jwk.x }]);
    }, /not a point on P-256/],
    ['a private part that is not the public key\'s', async () => {
      const [a, b] = [await newJwk('mixed'), await newJwk('other')];
      return JSON.stringify([{ ...a, d: b.d }]);
    }, /does not match/],
  ])('refuses JWT_SIGNING_KEYS that is %s, naming the problem without the secret', async (_what, make, message) => {
    const value = await make();
    const issues = await configIssues({ JWT_SIGNING_KEYS: value });
    expect(issues.join('\n')).toMatch(/^JWT_SIGNING_KEYS: /m);
    expect(issues.join('\n')).toMatch(message);
    for (const jwk of value.startsWith('[') ? (JSON.parse(value) as { d?: string; k?: string }[]) : []) {
      for (const secret of [jwk.d, jwk.k]) if (secret) expect(issues.join('\n')).not.toContain(secret);
    }
  });

  it.each([
    ['an entry without a key id', () => generateFieldKey(), /entry 1 .*key id/],
    ['a short key', () => 'k1:c2hvcnQ=', /"k1" must be 32 bytes/],
    ['a duplicate key id', () => { const k = generateFieldKey(); return `k1:${k},k1:${generateFieldKey()}`; }, /duplicate key id "k1"/],
    ['key material that is not base64', () => 'k1:!!!notbase64!!!', /"k1" is not valid base64/],
    ['the parts swapped', () => `${generateFieldKey()}:k1`, /entry 1 .*key id/],
  ])('refuses FIELD_ENCRYPTION_KEYS with %s, without echoing key material', async (_what, make, message) => {
    const value = make();
    const issues = (await configIssues({ FIELD_ENCRYPTION_KEYS: value })).join('\n');
    expect(issues).toMatch(/^FIELD_ENCRYPTION_KEYS: /m);
    expect(issues).toMatch(message);
    for (const part of value.split(/[,:]/)) if (part.length > 8) expect(issues).not.toContain(part);
  });

  it('turns a broken signing keyring into one clear 500 for every request, not a 401 per request', async () => {
    const { createApp } = await import('./app');
    const jwk = await newJwk('bent');
    const broken = { ...env, JWT_SIGNING_KEYS: JSON.stringify([{ ...jwk, y: jwk.x }]) };
    const res = await createApp().request('/api/v1/shops', { headers: { authorization: 'Bearer a.b.c' } }, broken, ctx);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body).toMatchObject({ code: 'internal_error', detail: 'The service is misconfigured' });
    expect(JSON.stringify(body)).not.toContain(jwk.d!);
  });

  it('loadConfig (synchronous) already rejects malformed keyrings', () => {
    expect(() => loadConfig({ ...env, FIELD_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, JWT_SIGNING_KEYS: '[]' })).toThrow(ConfigError);
  });
});

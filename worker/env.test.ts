import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env';

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
});

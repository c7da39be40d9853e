// @vitest-environment node
/**
 * The plane's own health: `probe()` asks every server a real question, and `watchPlane` reports
 * the plane down (once, naming what failed) after enough failed probes in a row — what
 * `npm start` relies on to stop instead of serving a Worker whose data plane is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlane, watchPlane, type Plane } from './plane.ts';

describe('plane health', () => {
  let plane: Plane;
  beforeAll(async () => {
    plane = await startPlane({ stripeSecretKey: 'sk_test_probe' });
  });
  afterAll(() => plane?.close());

  it('probes every server and finds them up', async () => {
    expect(await plane.probe()).toEqual({ ok: true, failing: [] });
  });

  it('reports the plane down after the allowed failures, naming each server', async () => {
    const reasons: string[] = [];
    const stop = watchPlane(plane, { intervalMs: 50, failuresAllowed: 2, onDown: (r) => reasons.push(r) });
    await new Promise((r) => setTimeout(r, 200));
    expect(reasons).toEqual([]); // healthy so far
    await plane.close();
    await expect.poll(() => reasons.length, { timeout: 3_000 }).toBe(1);
    expect(reasons[0]).toMatch(/^2 probes in a row failed: neon: .+; upstash: .+; stripe: .+/);
    await new Promise((r) => setTimeout(r, 200));
    expect(reasons).toHaveLength(1); // reported once, then it stops probing
    stop();
    const after = await plane.probe(500);
    expect(after.ok).toBe(false);
    expect(after.failing).toHaveLength(3);
  });
});

describe('plane with fault injection', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { config: { rates: Record<string, number> } } }),
    );

  it('separate: a second Neon listener injects; the main one (and the probe) stays clean', async () => {
    const plane = await startPlane({ stripeSecretKey: 'sk_test_probe', faults: { separate: true } });
    try {
      const faults = plane.neonFaults!;
      expect(new URL(faults.url).port).not.toBe(new URL(plane.neonUrl).port);
      await post(faults.controlUrl, { rates: { error_before: 1 } });
      expect(await plane.probe()).toEqual({ ok: true, failing: [] });
      const res = await fetch(faults.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"select 1"}' });
      expect(res.status).toBe(503);
    } finally {
      await plane.close();
    }
  });

  it('BB_NEON_FAULTS: the main endpoint can inject, with none until armed', async () => {
    process.env.BB_NEON_FAULTS = '0.4:5';
    const plane = await startPlane({ stripeSecretKey: 'sk_test_probe' }).finally(() => delete process.env.BB_NEON_FAULTS);
    try {
      expect(plane.neonFaults?.url).toBe(plane.neonUrl);
      expect(await plane.probe()).toEqual({ ok: true, failing: [] });
      const armed = await post(plane.neonFaults!.controlUrl, { arm: true });
      expect(Object.values(armed.body.config.rates).reduce((a, b) => a + b, 0)).toBeCloseTo(0.4);
      // Even with every request failing, the plane's own probe is answered (npm start watches it).
      await post(plane.neonFaults!.controlUrl, { rates: { reset_before: 1 } });
      expect(await plane.probe()).toEqual({ ok: true, failing: [] });
      const res = await fetch(plane.neonUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"select 1"}' }).catch((e: unknown) => e);
      expect(res).toBeInstanceOf(Error);
    } finally {
      await plane.close();
    }
  });

  it('without the knob there is no control API', async () => {
    const plane = await startPlane({ stripeSecretKey: 'sk_test_probe' });
    try {
      expect(plane.neonFaults).toBeUndefined();
      expect((await fetch(new URL('/__faults', plane.neonUrl))).status).toBe(405);
    } finally {
      await plane.close();
    }
  });
});

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

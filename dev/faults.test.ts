// @vitest-environment node
/**
 * The fault-injecting Neon listener (dev/faults.ts, dev/neon-http.ts): each kind does what it says
 * to the statement — refused before it runs, or run and committed with the answer lost — the clean
 * listener in front of the same database never injects anything, the control API sets, reads and
 * resets, and a seed replays the same faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { FaultInjector, parseFaultKnob, spreadRate, type FaultKind } from './faults.ts';
import { startNeonHttp, type NeonHttpServer } from './neon-http.ts';

describe('fault-injecting Neon listener', () => {
  let server: NeonHttpServer;
  let clean: NeonQueryFunction<false, false>;
  let faulty: NeonQueryFunction<false, false>;
  let control: string;

  const setFaults = async (body: unknown) => {
    const res = await fetch(control, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { config: { rates: Record<string, number> }; counters: Record<string, number>; message?: string } };
  };
  const counters = async () => ((await (await fetch(control)).json()) as { counters: Record<string, number> }).counters;
  const rows = async (tag: string) => (await clean`select tag from fault_probe where tag = ${tag}`).length;

  beforeAll(async () => {
    server = await startNeonHttp({ faults: { separate: true, delayMs: 400 } });
    control = new URL('/__faults', server.faultUrl!).href;
    // Two connection strings, two listeners: the driver's endpoint is chosen by host, as in the Worker.
    neonConfig.fetchEndpoint = (host) => (host.startsWith('faulty') ? server.faultUrl! : server.url);
    clean = neon('postgresql://bb:bb@clean.localtest.me/bookedbarber');
    faulty = neon('postgresql://bb:bb@faulty.localtest.me/bookedbarber');
    await clean`create table fault_probe (tag text not null)`;
  });
  afterAll(() => server?.close());
  beforeEach(async () => {
    await fetch(`${control}/reset`, { method: 'POST' });
  });

  it('is a second listener; the main one has no control API and never injects', async () => {
    expect(server.faultUrl).not.toBe(server.url);
    expect((await fetch(new URL('/__faults', server.url))).status).toBe(405);
    await setFaults({ rates: { error_before: 1 } });
    await clean`insert into fault_probe values ('clean')`;
    expect(await rows('clean')).toBe(1);
    expect((await counters()).requests).toBe(0);
  });

  const cases: { kind: FaultKind; committed: boolean; error: RegExp }[] = [
    { kind: 'error_before', committed: false, error: /HTTP status 503.*not run/ },
    { kind: 'error_after', committed: true, error: /HTTP status 503.*statement run/ },
    { kind: 'reset_before', committed: false, error: /Error connecting to database/ },
    { kind: 'reset_after', committed: true, error: /Error connecting to database/ },
  ];
  it.each(cases)('$kind: the client gets no answer; committed = $committed', async ({ kind, committed, error }) => {
    await setFaults({ rates: { [kind]: 1 } });
    const tag = `t-${kind}`;
    await expect(faulty`insert into fault_probe values (${tag})`).rejects.toThrow(error);
    expect(await rows(tag)).toBe(committed ? 1 : 0);
    expect(await counters()).toMatchObject({ requests: 1, [kind]: 1, pass: 0 });
  });

  it('a batch is still all or nothing when its answer is lost', async () => {
    await setFaults({ rates: { reset_after: 1 } });
    await expect(
      faulty.transaction((sql) => [sql`insert into fault_probe values ('batch')`, sql`insert into fault_probe values ('batch')`]),
    ).rejects.toThrow();
    expect(await rows('batch')).toBe(2);
  });

  it('delay: the statement runs after the delay, even when the client gave up before', async () => {
    await setFaults({ rates: { delay: 1 } });
    const started = Date.now();
    await faulty`insert into fault_probe values ('slow')`;
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    const impatient = neon('postgresql://bb:bb@faulty.localtest.me/bookedbarber', { fetchOptions: { signal: AbortSignal.timeout(100) } });
    await expect(impatient`insert into fault_probe values ('gave-up')`).rejects.toThrow();
    expect(await rows('gave-up')).toBe(0);
    await expect.poll(() => rows('gave-up'), { timeout: 3_000 }).toBe(1);
  });

  it('passes everything with no rates; a fraction fails at about its rate', async () => {
    for (let i = 0; i < 5; i++) await faulty`select 1`;
    expect(await counters()).toMatchObject({ requests: 5, pass: 5 });
    await setFaults({ rates: { error_before: 0.3 }, seed: 7 });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => faulty`select 1`));
    const failed = outcomes.filter((o) => o.status === 'rejected').length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect((await counters()).error_before).toBe(failed);
  });

  it('the control API refuses bad rates and keeps the old ones', async () => {
    await setFaults({ rates: { delay: 0.1 } });
    expect((await setFaults({ rates: { nonsense: 0.5 } })).status).toBe(400);
    expect((await setFaults({ rates: { error_before: 0.7, reset_after: 0.7 } })).body.message).toMatch(/more than 1/);
    expect((await setFaults({ rates: { delay: -1 } })).status).toBe(400);
    const now = (await (await fetch(control)).json()) as { config: { rates: Record<string, number> } };
    expect(now.config.rates.delay).toBe(0.1);
  });
});

describe('FaultInjector', () => {
  it('replays the same outcomes for the same seed', () => {
    const draw = (seed: number) => {
      const f = new FaultInjector({ rates: spreadRate(0.5), seed });
      return Array.from({ length: 100 }, () => f.draw());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(new Set(draw(42))).toEqual(new Set(['pass', 'error_before', 'error_after', 'reset_before', 'reset_after', 'delay']));
  });

  it('arms the rates it was started with, and reset clears them', () => {
    const f = new FaultInjector({ armed: spreadRate(0.2) });
    expect(f.draw()).toBe('pass');
    f.configure({ arm: true });
    expect(Object.values(f.config.rates).reduce((a, b) => a + b, 0)).toBeCloseTo(0.2);
    f.reset();
    expect(f.counters().requests).toBe(0);
    expect(Object.values(f.config.rates).every((r) => r === 0)).toBe(true);
  });

  it('a limit injects that many faults, then none', () => {
    const f = new FaultInjector();
    f.configure({ rates: { reset_after: 1 }, limit: 2 });
    expect([f.draw(), f.draw(), f.draw(), f.draw()]).toEqual(['reset_after', 'reset_after', 'pass', 'pass']);
    expect(f.config).toMatchObject({ limit: null, rates: { reset_after: 0 } });
    expect(() => f.configure({ limit: 0 })).toThrow(RangeError);
  });

  it('a match limits the faults to the statements it names', () => {
    const f = new FaultInjector();
    f.configure({ rates: { error_before: 1 }, match: 'INSERT INTO appointments' });
    expect(f.draw('{"query":"select 1"}')).toBe('pass');
    expect(f.draw('{"query":"WITH ins AS (INSERT INTO appointments (id) VALUES ($1))"}')).toBe('error_before');
    expect(f.counters()).toMatchObject({ requests: 2, pass: 1, error_before: 1 });
    expect(() => f.configure({ match: '(' })).toThrow(SyntaxError);
  });

  it('reads BB_NEON_FAULTS as rate[:seed]', () => {
    expect(parseFaultKnob(undefined)).toBeUndefined();
    expect(parseFaultKnob('0.1:9')).toEqual({ rates: spreadRate(0.1), seed: 9 });
    expect(parseFaultKnob('0.1')?.seed).toBe(1);
    expect(() => parseFaultKnob('lots')).toThrow(/rate:seed/);
    expect(() => parseFaultKnob('2')).toThrow(RangeError);
  });
});

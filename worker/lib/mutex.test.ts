import { describe, expect, it } from 'vitest';
import { LockTimeoutError, Mutex } from './mutex';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Mutex', () => {
  it('runs critical sections one at a time, in arrival order, across awaits', async () => {
    const lock = new Mutex();
    const events: string[] = [];
    const section = (name: string, ms: number) =>
      lock.run(async () => {
        events.push(`${name}:start`);
        await tick(ms);
        events.push(`${name}:end`);
        return name;
      });
    const results = await Promise.all([section('a', 20), section('b', 1), section('c', 5)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(lock.pending).toBe(0);
  });

  it('keeps working after a section throws', async () => {
    const lock = new Mutex();
    await expect(lock.run(async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    await expect(lock.run(async () => 42)).resolves.toBe(42);
  });

  it('a caller that cannot get the lock in time gets LockTimeoutError and its work never runs', async () => {
    const lock = new Mutex();
    let release!: () => void;
    const holder = lock.run(() => new Promise<void>((r) => (release = r)));
    let ran = false;
    const waiter = lock.run(async () => {
      ran = true;
    }, { waitMs: 50 });
    await expect(waiter).rejects.toBeInstanceOf(LockTimeoutError);
    release();
    await holder;
    await lock.run(async () => undefined);
    expect(ran).toBe(false);
    expect(lock.pending).toBe(0);
  });
});

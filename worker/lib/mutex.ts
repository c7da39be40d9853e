/**
 * A promise-chain lock. A Durable Object's input gate opens while it awaits fetch() (every Neon
 * query is a fetch), so "check availability → write" must be serialised explicitly.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  get pending(): number {
    return this.waiting;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(fn);
    // The chain must survive a failed task; the caller still sees the rejection via `result`.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.waiting--;
    });
    return result;
  }
}

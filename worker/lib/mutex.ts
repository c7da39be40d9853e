/**
 * A promise-chain lock. A Durable Object's input gate opens while it awaits fetch() (every Neon
 * query is a fetch), so "check availability → write" must be serialised explicitly.
 *
 * Waiting is bounded: a caller that cannot get the lock within `waitMs` gets a LockTimeoutError
 * (the API turns it into a retryable 503) and its task never runs, so one hung request cannot
 * queue a barber's whole day behind it. Holding is bounded by the work itself: every Neon fetch
 * has a deadline (db/client.ts).
 */
export class LockTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`lock not acquired within ${waitedMs} ms`);
    this.name = 'LockTimeoutError';
  }
}

export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.#waiting;
  }

  run<T>(fn: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
    this.#waiting++;
    const turn = this.#tail;
    let abandoned = false;
    const result = new Promise<T>((resolve, reject) => {
      const timer =
        opts.waitMs === undefined
          ? undefined
          : setTimeout(() => {
              abandoned = true;
              this.#waiting--;
              reject(new LockTimeoutError(opts.waitMs!));
            }, opts.waitMs);
      void turn.then(async () => {
        if (abandoned) return;
        clearTimeout(timer);
        try {
          const value = await fn();
          this.#waiting--;
          resolve(value);
        } catch (err) {
          this.#waiting--;
          reject(err);
        }
      });
    });
    // The next task waits for this one to finish (or to be abandoned); a failure does not break
    // the chain — the caller still sees it through `result`.
    this.#tail = turn
      .then(() => result)
      .then(
        () => undefined,
        () => undefined,
      );
    return result;
  }
}

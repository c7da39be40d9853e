import { DurableObject } from 'cloudflare:workers';
import { loadConfig } from '../env';
import { sqlClient } from '../db/client';
import { createLogger } from '../lib/logger';
import { Mutex } from '../lib/mutex';

/**
 * One instance per barber (idFromName(barberId)). Every write that occupies the barber's time goes
 * through here and runs under `lock`, so two requests never both see a slot as free. The Postgres
 * exclusion constraint stays the backstop.
 */
export class BarberSchedule extends DurableObject<Env> {
  private readonly lock = new Mutex();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
      );
    });
  }

  /**
   * Runs `work` with exclusive access to this barber's schedule and bumps the schedule version
   * (availability caches key on it). Private to the object: callers use the RPC methods below.
   */
  protected exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const result = await work();
      this.bumpVersion();
      return result;
    });
  }

  private bumpVersion(): number {
    const row = this.ctx.storage.sql
      .exec<{ value: number }>(
        `INSERT INTO meta (key, value) VALUES ('version', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .one();
    return row.value;
  }

  /** Current schedule version; changes after every serialised write. */
  async version(): Promise<number> {
    const rows = this.ctx.storage.sql
      .exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'version'`)
      .toArray();
    return rows[0]?.value ?? 0;
  }

  /** Requests waiting for the lock right now (observability and tests). */
  async queueDepth(): Promise<number> {
    return this.lock.pending;
  }

  /** Schedules the next sweep of expired holds. The booking flow calls this when it places one. */
  async scheduleHoldSweep(barberId: string, at: number): Promise<void> {
    // The object's name is not readable from inside, so remember whose schedule this is.
    await this.ctx.storage.put('barber_id', barberId);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Releases this barber's expired holds so the slots reappear, and re-arms the alarm for the next
   * hold still pending — one statement. Runs under the lock like every other write to the
   * schedule. Returns how many were released.
   */
  async releaseExpiredHolds(barberId: string): Promise<number> {
    const { released, next } = await this.exclusive(async () => {
      const sql = sqlClient(loadConfig(this.env));
      const rows = await sql`
        WITH released AS (
          UPDATE appointments
             SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'hold_expired', updated_at = now()
           WHERE barber_id = ${barberId} AND status = 'held' AND hold_expires_at <= now()
           RETURNING id
        )
        SELECT (SELECT count(*) FROM released)::int AS released,
               (SELECT extract(epoch FROM min(hold_expires_at)) * 1000 FROM appointments
                 WHERE barber_id = ${barberId} AND status = 'held' AND hold_expires_at > now())::float8 AS next`;
      const row = rows[0] as { released: number | string; next: number | string | null } | undefined;
      return { released: Number(row?.released ?? 0), next: row?.next == null ? null : Number(row.next) };
    });
    if (next !== null) await this.scheduleHoldSweep(barberId, next);
    return released;
  }

  override async alarm(): Promise<void> {
    const barberId = await this.ctx.storage.get<string>('barber_id');
    if (!barberId) return;
    const released = await this.releaseExpiredHolds(barberId);
    createLogger('info', { do: 'BarberSchedule', barber_id: barberId }).info('expired holds released', { released });
  }
}

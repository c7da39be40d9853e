import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

export interface AuditEntry {
  shopId: string | null;
  actorId: string | null;
  /** Verb in the past tense, dotted by entity: `service.created`, `working_hours.replaced`. */
  action: string;
  entity: string;
  entityId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * The audit row as a query, so callers put it in the same `db.batch([...])` as the write it
 * records: one Neon round trip, one transaction — no write without its trail, or the reverse.
 */
export function auditQuery(db: Db, entry: AuditEntry) {
  return db.insert(auditLog).values({
    shopId: entry.shopId,
    actorId: entry.actorId,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    data: entry.data ?? null,
  });
}

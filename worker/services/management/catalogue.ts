/** The catalogue: services (deactivated, never deleted) and each barber's offerings. */
import { eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import { barberServices, services, type BarberService, type Service, type ShopPolicy } from '../../db/schema';
import { priceViolation } from '../../domain/policy';
import type { FieldError } from '../../lib/errors';
import { auditQuery } from '../audit';
import { availabilityChanged } from '../availability-cache';
import type { Services } from '../container';
import type { ShopServiceSummary } from './access';
import { conflictOn, unprocessable } from './errors';

export interface ServiceFields {
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  duration_min: number;
  active: boolean;
}

const NAME_TAKEN = 'This shop already has a service with that name';

/** Currency must be the shop's; an active service may not be cheaper than the policy's fixed charges. */
function checkService(fields: ServiceFields, shop: { currency: string; policy: ShopPolicy }): void {
  const errors: FieldError[] = [];
  if (fields.currency !== shop.currency) {
    errors.push({ path: 'json.currency', message: `Must be the shop's currency, ${shop.currency}` });
  }
  const tooCheap = fields.active ? priceViolation(fields.price_cents, shop.policy) : null;
  if (tooCheap) errors.push({ path: 'json.price_cents', message: tooCheap });
  if (errors.length > 0) throw unprocessable('The service breaks a shop rule', errors);
}

const columns = (f: ServiceFields) => ({
  name: f.name,
  description: f.description,
  priceCents: f.price_cents,
  currency: f.currency,
  durationMin: f.duration_min,
  active: f.active,
});

export async function createService(
  db: Db,
  actorId: string,
  shop: { id: string; currency: string; policy: ShopPolicy },
  fields: ServiceFields,
): Promise<Service> {
  checkService(fields, shop);
  const id = crypto.randomUUID();
  const [created] = await conflictOn('services_shop_name_unique', 'json.name', NAME_TAKEN, () =>
    db.batch([
      db.insert(services).values({ id, shopId: shop.id, ...columns(fields) }).returning(),
      auditQuery(db, { shopId: shop.id, actorId, action: 'service.created', entity: 'service', entityId: id, data: { ...fields } }),
    ]),
  );
  return created[0]!;
}

/** A partial update checked as the merged whole; `active: false` is how a service is retired. */
export async function updateService(
  db: Db,
  actorId: string,
  current: Service,
  shop: { currency: string; policy: ShopPolicy },
  patch: Partial<ServiceFields>,
): Promise<Service> {
  const merged: ServiceFields = {
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    price_cents: patch.price_cents ?? current.priceCents,
    currency: patch.currency ?? current.currency,
    duration_min: patch.duration_min ?? current.durationMin,
    active: patch.active ?? current.active,
  };
  checkService(merged, shop);
  const [updated] = await conflictOn('services_shop_name_unique', 'json.name', NAME_TAKEN, () =>
    db.batch([
      db.update(services).set(columns(merged)).where(eq(services.id, current.id)).returning(),
      auditQuery(db, { shopId: current.shopId, actorId, action: 'service.updated', entity: 'service', entityId: current.id, data: { ...patch } }),
    ]),
  );
  return updated[0] ?? current;
}

export interface OfferingInput {
  service_id: string;
  price_cents?: number | null;
  duration_min?: number | null;
}

export interface Offering {
  service_id: string;
  name: string;
  currency: string;
  /** The override, or null for "the service's own". */
  price_cents: number | null;
  duration_min: number | null;
  effective_price_cents: number;
  effective_duration_min: number;
  active: boolean;
}

/** Each offering must name a service of this shop, once, at a price the policy allows. */
function checkOfferings(offerings: readonly OfferingInput[], catalogue: readonly ShopServiceSummary[], policy: ShopPolicy): void {
  const byId = new Map(catalogue.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  offerings.forEach((o, i) => {
    const service = byId.get(o.service_id);
    if (!service) {
      errors.push({ path: `json.services.${i}.service_id`, message: 'Not a service of this shop' });
    } else if (seen.has(o.service_id)) {
      errors.push({ path: `json.services.${i}.service_id`, message: 'Listed more than once' });
    } else {
      const tooCheap = service.active ? priceViolation(o.price_cents ?? service.price_cents, policy) : null;
      if (tooCheap) errors.push({ path: `json.services.${i}.price_cents`, message: tooCheap });
    }
    seen.add(o.service_id);
  });
  if (errors.length > 0) throw unprocessable('Some offerings are not allowed', errors);
}

export function toOffering(row: Pick<BarberService, 'serviceId' | 'priceCents' | 'durationMin'>, service: ShopServiceSummary): Offering {
  return {
    service_id: row.serviceId,
    name: service.name,
    currency: service.currency,
    price_cents: row.priceCents,
    duration_min: row.durationMin,
    effective_price_cents: row.priceCents ?? service.price_cents,
    effective_duration_min: row.durationMin ?? service.duration_min,
    active: service.active,
  };
}

/** Replaces the barber's offerings wholesale (delete + insert + audit in one batch). */
export async function replaceOfferings(
  db: Db,
  actorId: string,
  target: { barberId: string; shopId: string; policy: ShopPolicy; catalogue: ShopServiceSummary[] },
  offerings: readonly OfferingInput[],
): Promise<Offering[]> {
  checkOfferings(offerings, target.catalogue, target.policy);
  const rows = offerings.map((o) => ({
    barberId: target.barberId,
    serviceId: o.service_id,
    priceCents: o.price_cents ?? null,
    durationMin: o.duration_min ?? null,
  }));
  const queries: [BatchItem<'pg'>, ...BatchItem<'pg'>[]] = [
    db.delete(barberServices).where(eq(barberServices.barberId, target.barberId)),
    auditQuery(db, {
      shopId: target.shopId,
      actorId,
      action: 'barber_services.replaced',
      entity: 'barber',
      entityId: target.barberId,
      data: { services: offerings },
    }),
  ];
  if (rows.length > 0) queries.push(db.insert(barberServices).values(rows));
  await db.batch(queries);
  const byId = new Map(target.catalogue.map((s) => [s.id, s]));
  return rows.map((r) => toOffering(r, byId.get(r.serviceId)!));
}

/**
 * replaceOfferings, then the cache of who offers what is invalidated for this barber and the
 * shop's "any barber" rosters. The API and the services page both save through this.
 */
export async function saveOfferings(
  services: Pick<Services, 'db' | 'redis' | 'config' | 'logger'>,
  actorId: string,
  target: { barberId: string; shopId: string; policy: ShopPolicy; catalogue: ShopServiceSummary[] },
  offerings: readonly OfferingInput[],
): Promise<Offering[]> {
  const saved = await replaceOfferings(services.db, actorId, target, offerings);
  await availabilityChanged(
    { redis: services.redis, prefix: services.config.REDIS_PREFIX, logger: services.logger },
    { barberIds: [target.barberId], shopId: target.shopId, serviceIds: target.catalogue.map((s) => s.id) },
  );
  return saved;
}

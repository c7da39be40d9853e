/** The catalogue as the owner manages it: every service (retired ones too) and who offers what. */
import { asc, eq } from 'drizzle-orm';
import { barberServices, barbers, services } from '../schema';
import type { Db } from './types';

/**
 * The shop's services by name, its barbers (active first, then by name) and every offering row
 * of its barbers — one Neon round trip (a read batch).
 */
export async function shopCatalogue(db: Db, shopId: string) {
  const [serviceRows, barberRows, offeringRows] = await db.batch([
    db.select().from(services).where(eq(services.shopId, shopId)).orderBy(asc(services.name)),
    db
      .select({ id: barbers.id, displayName: barbers.displayName, active: barbers.active })
      .from(barbers)
      .where(eq(barbers.shopId, shopId))
      .orderBy(asc(barbers.displayName), asc(barbers.id)),
    db
      .select({ barberId: barberServices.barberId, serviceId: barberServices.serviceId, priceCents: barberServices.priceCents, durationMin: barberServices.durationMin })
      .from(barberServices)
      .innerJoin(barbers, eq(barbers.id, barberServices.barberId))
      .where(eq(barbers.shopId, shopId)),
  ]);
  return { services: serviceRows, barbers: barberRows, offerings: offeringRows };
}

export type ShopCatalogue = Awaited<ReturnType<typeof shopCatalogue>>;

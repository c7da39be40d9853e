import type { Db } from '../../worker/db/client';
import { barbers, services, shops, users } from '../../worker/db/schema';
import { buildBarber, buildService, buildShop, buildUser } from '../../worker/db/seed/builders';

/** A fresh shop with one barber, one client and one service; nothing shared with other tests. */
export async function createBarberWorld(db: Db) {
  const [shop] = await db.insert(shops).values(buildShop()).returning();
  const [barberUser, client] = await db.insert(users).values([buildUser(), buildUser()]).returning();
  const [barber] = await db.insert(barbers).values(buildBarber({ userId: barberUser!.id, shopId: shop!.id })).returning();
  const [service] = await db.insert(services).values(buildService({ shopId: shop!.id })).returning();
  return { shop: shop!, barber: barber!, client: client!, service: service! };
}

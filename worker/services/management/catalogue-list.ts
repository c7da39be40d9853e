/** The catalogue as its owners manage it (reads; the writes are in catalogue.ts). */
import type { Db } from '../../db/client';
import { shopCatalogue, type ShopCatalogue } from '../../db/queries/catalogue';
import type { Service } from '../../db/schema';
import type { ShopServiceSummary } from './access';

export type { ShopCatalogue };

/** Every service, barber and offering of the shop; the caller has authorised. One round trip. */
export function listShopCatalogue(db: Db, shopId: string): Promise<ShopCatalogue> {
  return shopCatalogue(db, shopId);
}

/** A service as the offering checks (replaceOfferings) read the catalogue. */
export function serviceSummary(s: Service): ShopServiceSummary {
  return { id: s.id, name: s.name, price_cents: s.priceCents, duration_min: s.durationMin, currency: s.currency, active: s.active };
}

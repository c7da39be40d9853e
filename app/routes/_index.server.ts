import type { Services } from '../../worker/services/container';
import { listShops } from '../../worker/services/shops';

export async function loadHome(services: Services, q: string) {
  const page = await listShops(services.db, { q, limit: 50 });
  return { shops: page.data, q };
}

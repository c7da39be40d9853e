/**
 * The contention run's shop: twenty barbers, each working two blocks a day every day (so every day
 * has two contested windows per barber), one 30- and one 45-minute service, no deposit (a success
 * is one statement in the barber's object), and a future-booking cap high enough that the racing
 * clients never hit it. Fade Street's demo owner owns it too, so the benchmark can cancel what an
 * interrupted run left through the API (the barbers' objects then hear of it). Written straight
 * into the local database once, in one transaction (idempotent by slug): the benchmark measures
 * booking, not onboarding twenty barbers through the API.
 */
import { neon } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import { configureNeonDriver } from '../worker/db/endpoint.ts';
import { barberServices, barbers, DEFAULT_SHOP_POLICY, memberships, services, shops, users, workingHours } from '../worker/db/schema/index.ts';

export const BENCH_SHOP_SLUG = 'bench-twenty-chairs';
/** Signs in as the bench shop's owner (a demo account; see worker/db/seed). */
export const BENCH_SHOP_OWNER = 'owner@fadestreet.test';

export async function ensureBenchShop(databaseUrl: string, barberCount = 20): Promise<{ slug: string; created: boolean }> {
  configureNeonDriver();
  const db = drizzle({ client: neon(databaseUrl) });
  const existing = await db.select({ id: shops.id }).from(shops).where(eq(shops.slug, BENCH_SHOP_SLUG));
  if (existing.length > 0) return { slug: BENCH_SHOP_SLUG, created: false };
  const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, BENCH_SHOP_OWNER));
  if (!owner) throw new Error(`${BENCH_SHOP_OWNER} is not in the database: is this the seeded demo stack?`);

  // Ids chosen here so that every row goes in with one batch: all of it, or none of it.
  const shopId = crypto.randomUUID();
  const offered = [
    { id: crypto.randomUUID(), shopId, name: 'Classic Cut', description: '', priceCents: 3000, currency: 'USD', durationMin: 30 },
    { id: crypto.randomUUID(), shopId, name: 'Cut & Beard', description: '', priceCents: 4500, currency: 'USD', durationMin: 45 },
  ];
  const chairs = Array.from({ length: barberCount }, (_, i) => ({ userId: crypto.randomUUID(), barberId: crypto.randomUUID(), n: i + 1 }));
  await db.batch([
    db.insert(shops).values({
      id: shopId,
      slug: BENCH_SHOP_SLUG,
      name: 'Twenty Chairs (benchmark)',
      timezone: 'America/Chicago',
      currency: 'USD',
      policy: { ...DEFAULT_SHOP_POLICY, max_future_bookings: 1000, booking_window_days: 60 },
    }),
    db.insert(services).values(offered),
    db.insert(users).values(chairs.map((c) => ({ id: c.userId, email: `bench-barber-${c.n}@example.test`, firstName: 'Chair', lastName: String(c.n) }))),
    db.insert(memberships).values([
      { userId: owner.id, shopId, role: 'owner' as const },
      ...chairs.map((c) => ({ userId: c.userId, shopId, role: 'barber' as const })),
    ]),
    db.insert(barbers).values(chairs.map((c) => ({ id: c.barberId, userId: c.userId, shopId, displayName: `Chair ${c.n}`, bio: '' }))),
    db.insert(barberServices).values(chairs.flatMap((c) => offered.map((s) => ({ barberId: c.barberId, serviceId: s.id, priceCents: null, durationMin: null })))),
    // 09:00–12:30 and 13:30–18:00, every day of the week.
    db.insert(workingHours).values(
      chairs.flatMap((c) =>
        [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
          { barberId: c.barberId, weekday, startMinute: 9 * 60, endMinute: 12 * 60 + 30 },
          { barberId: c.barberId, weekday, startMinute: 13 * 60 + 30, endMinute: 18 * 60 },
        ]),
      ),
    ),
  ]);
  return { slug: BENCH_SHOP_SLUG, created: true };
}

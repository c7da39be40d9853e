/**
 * The contention run's shop: twenty barbers, each working two blocks a day every day (so every day
 * has two contested windows per barber), one 30- and one 45-minute service, no deposit (a success
 * is one statement in the barber's object), and a future-booking cap high enough that the racing
 * clients never hit it. Written straight into the local database once (idempotent by slug): the
 * benchmark measures booking, not onboarding twenty barbers through the API.
 */
import { neon } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import { configureNeonDriver } from '../worker/db/endpoint.ts';
import { barberServices, barbers, DEFAULT_SHOP_POLICY, memberships, services, shops, users, workingHours } from '../worker/db/schema/index.ts';

export const BENCH_SHOP_SLUG = 'bench-twenty-chairs';

export async function ensureBenchShop(databaseUrl: string, barberCount = 20): Promise<{ slug: string; created: boolean }> {
  configureNeonDriver();
  const db = drizzle({ client: neon(databaseUrl) });
  const existing = await db.select({ id: shops.id }).from(shops).where(eq(shops.slug, BENCH_SHOP_SLUG));
  if (existing.length > 0) return { slug: BENCH_SHOP_SLUG, created: false };

  const [shop] = await db
    .insert(shops)
    .values({
      slug: BENCH_SHOP_SLUG,
      name: 'Twenty Chairs (benchmark)',
      timezone: 'America/Chicago',
      currency: 'USD',
      policy: { ...DEFAULT_SHOP_POLICY, max_future_bookings: 1000, booking_window_days: 60 },
    })
    .returning({ id: shops.id });
  const shopId = shop!.id;
  const offered = await db
    .insert(services)
    .values([
      { shopId, name: 'Classic Cut', description: '', priceCents: 3000, currency: 'USD', durationMin: 30 },
      { shopId, name: 'Cut & Beard', description: '', priceCents: 4500, currency: 'USD', durationMin: 45 },
    ])
    .returning({ id: services.id });
  const people = await db
    .insert(users)
    .values(Array.from({ length: barberCount }, (_, i) => ({ email: `bench-barber-${i + 1}@example.test`, firstName: 'Chair', lastName: String(i + 1) })))
    .returning({ id: users.id });
  await db.insert(memberships).values(people.map((u) => ({ userId: u.id, shopId, role: 'barber' as const })));
  const chairs = await db
    .insert(barbers)
    .values(people.map((u, i) => ({ userId: u.id, shopId, displayName: `Chair ${i + 1}`, bio: '' })))
    .returning({ id: barbers.id });
  await db.insert(barberServices).values(chairs.flatMap((b) => offered.map((s) => ({ barberId: b.id, serviceId: s.id, priceCents: null, durationMin: null }))));
  // 09:00–12:30 and 13:30–18:00, every day of the week.
  await db.insert(workingHours).values(
    chairs.flatMap((b) =>
      [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
        { barberId: b.id, weekday, startMinute: 9 * 60, endMinute: 12 * 60 + 30 },
        { barberId: b.id, weekday, startMinute: 13 * 60 + 30, endMinute: 18 * 60 },
      ]),
    ),
  );
  return { slug: BENCH_SHOP_SLUG, created: true };
}

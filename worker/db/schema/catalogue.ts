import { relations, sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { currency, timestamps } from './columns';
import { shops } from './tenancy';
import { barbers } from './people';
import { appointments } from './appointments';

export const services = pgTable(
  'services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: the catalogue belongs to the shop (appointments block deleting a used service).
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    priceCents: integer('price_cents').notNull(),
    currency: currency().notNull(),
    // Slots are on a 5-minute grid, so durations are too.
    durationMin: integer('duration_min').notNull(),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    // Natural key within a shop (also what the idempotent seed relies on).
    unique('services_shop_name_unique').on(t.shopId, t.name),
    check('services_price_check', sql`${t.priceCents} >= 0`),
    check('services_duration_check', sql`${t.durationMin} > 0 AND ${t.durationMin} % 5 = 0`),
    check('services_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/** Which services a barber offers; NULL overrides mean "use the service's own value". */
export const barberServices = pgTable(
  'barber_services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE both ways: an offering is a pure link row.
    barberId: uuid('barber_id')
      .notNull()
      .references(() => barbers.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    priceCents: integer('price_cents'),
    durationMin: integer('duration_min'),
    ...timestamps,
  },
  (t) => [
    unique('barber_services_barber_service_unique').on(t.barberId, t.serviceId),
    index('barber_services_service_idx').on(t.serviceId),
    check('barber_services_price_check', sql`${t.priceCents} IS NULL OR ${t.priceCents} >= 0`),
    check(
      'barber_services_duration_check',
      sql`${t.durationMin} IS NULL OR (${t.durationMin} > 0 AND ${t.durationMin} % 5 = 0)`,
    ),
  ],
);

export const servicesRelations = relations(services, ({ one, many }) => ({
  shop: one(shops, { fields: [services.shopId], references: [shops.id] }),
  barberServices: many(barberServices),
  appointments: many(appointments),
}));

export const barberServicesRelations = relations(barberServices, ({ one }) => ({
  barber: one(barbers, { fields: [barberServices.barberId], references: [barbers.id] }),
  service: one(services, { fields: [barberServices.serviceId], references: [services.id] }),
}));

export type Service = typeof services.$inferSelect;
export type NewService = typeof services.$inferInsert;
export type BarberService = typeof barberServices.$inferSelect;
export type NewBarberService = typeof barberServices.$inferInsert;

import { relations, sql } from 'drizzle-orm';
import { check, index, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns';
import { barbers } from './people';

/**
 * Weekly rules in the SHOP's time zone: minutes since local midnight, so a rule keeps meaning
 * "09:00" across DST changes. Several rows per weekday express breaks (09:00-12:30,
 * 13:30-18:00). Rows of one barber and weekday may not overlap (exclusion constraint
 * `working_hours_no_overlap`, added in a custom migration because drizzle-kit cannot express it).
 */
export const workingHours = pgTable(
  'working_hours',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: the rules are part of the barber.
    barberId: uuid('barber_id')
      .notNull()
      .references(() => barbers.id, { onDelete: 'cascade' }),
    /** 0 = Sunday … 6 = Saturday (JavaScript's Date#getDay convention). */
    weekday: smallint('weekday').notNull(),
    startMinute: smallint('start_minute').notNull(),
    endMinute: smallint('end_minute').notNull(),
    ...timestamps,
  },
  (t) => [
    check('working_hours_weekday_check', sql`${t.weekday} BETWEEN 0 AND 6`),
    check('working_hours_start_minute_check', sql`${t.startMinute} BETWEEN 0 AND 1440`),
    check('working_hours_end_minute_check', sql`${t.endMinute} BETWEEN 0 AND 1440`),
    check('working_hours_range_check', sql`${t.endMinute} > ${t.startMinute}`),
    index('working_hours_barber_weekday_idx').on(t.barberId, t.weekday),
  ],
);

export const timeOff = pgTable(
  'time_off',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: blocks are part of the barber's calendar.
    barberId: uuid('barber_id')
      .notNull()
      .references(() => barbers.id, { onDelete: 'cascade' }),
    startsAt: tstz('starts_at').notNull(),
    endsAt: tstz('ends_at').notNull(),
    reason: text('reason'),
    /**
     * `manual`: entered by the barber or an owner. `google`: a busy time read from the barber's
     * Google calendar (freeBusy), replaced on every sync; `external_id` names the sync's block.
     */
    source: text('source').$type<'manual' | 'google'>().notNull().default('manual'),
    externalId: text('external_id'),
    ...timestamps,
  },
  (t) => [
    check('time_off_range_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('time_off_source_check', sql`${t.source} IN ('manual', 'google')`),
    index('time_off_barber_starts_idx').on(t.barberId, t.startsAt),
  ],
);

export const workingHoursRelations = relations(workingHours, ({ one }) => ({
  barber: one(barbers, { fields: [workingHours.barberId], references: [barbers.id] }),
}));

export const timeOffRelations = relations(timeOff, ({ one }) => ({
  barber: one(barbers, { fields: [timeOff.barberId], references: [barbers.id] }),
}));

export type WorkingHours = typeof workingHours.$inferSelect;
export type NewWorkingHours = typeof workingHours.$inferInsert;
export type TimeOff = typeof timeOff.$inferSelect;
export type NewTimeOff = typeof timeOff.$inferInsert;

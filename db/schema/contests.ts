import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { id, ts, createdAt, contestStatusEnum } from './columns';

export const contests = pgTable('contests', {
  id: id(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  rules: text('rules').notNull().default(''),
  status: contestStatusEnum('status').notNull().default('active'),
  onePrizePerPerson: boolean('one_prize_per_person').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Communes/wards (or districts) a contest reports by. */
export const localities = pgTable(
  'localities',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    headcount: integer('headcount'),
  },
  (t) => [unique('localities_contest_name_uq').on(t.contestId, t.name), check('localities_headcount_ck', sql`${t.headcount} is null or ${t.headcount} >= 0`)],
);

/** Agencies and organizations a contest reports by. */
export const units = pgTable(
  'units',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    headcount: integer('headcount'),
  },
  (t) => [unique('units_contest_name_uq').on(t.contestId, t.name), check('units_headcount_ck', sql`${t.headcount} is null or ${t.headcount} >= 0`)],
);

import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { overrides, users } from '../../../../db/schema/index';
import { compareVi, comparePersonNames } from '../../lib/collation';
import { lockUnsubmittedAttempts } from '../contests/index';

export type Override = typeof overrides.$inferSelect;

export function findOverride(db: Db, roundId: string, userId: string): Promise<Override | undefined> {
  return db.query.overrides.findFirst({ where: and(eq(overrides.roundId, roundId), eq(overrides.userId, userId)) });
}

export function findUser(db: Db, userId: string) {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

export function findUserByPhone(db: Db, phone: string) {
  return db.query.users.findFirst({ where: eq(users.phone, phone) });
}

/** Insert or update; a lower extra_attempts cascades to the attempts that used it, where the cap CHECK may refuse it. */
export async function upsertOverride(db: Db, values: typeof overrides.$inferInsert): Promise<Override> {
  const [row] = await db
    .insert(overrides)
    .values(values)
    .onConflictDoUpdate({
      target: [overrides.roundId, overrides.userId],
      set: {
        extraAttempts: values.extraAttempts,
        extraSeconds: values.extraSeconds,
        reason: values.reason,
        createdBy: values.createdBy,
        updatedAt: new Date(),
      },
    })
    .returning();
  return row;
}

/** Moves the deadline of the resident's running (unsubmitted, not yet expired) attempts. */
export async function extendRunningAttempts(db: Db, roundId: string, userId: string, seconds: number, graceMs: number): Promise<number> {
  await lockUnsubmittedAttempts(db, { roundId, userId });
  const rows = await db.execute(sql`
    update attempts a set deadline = a.deadline + make_interval(secs => ${seconds}::int)
    where a.round_id = ${roundId} and a.user_id = ${userId}
      and a.deadline + make_interval(secs => ${graceMs}::int / 1000.0) > now()
      and not exists (select 1 from submissions s where s.attempt_id = a.id)
    returning a.id`);
  return Array.isArray(rows) ? rows.length : ((rows as { rows?: unknown[] }).rows?.length ?? 0);
}

/** By name as Vietnamese lists are kept (lib/collation.ts: given name first). */
export async function listOverrides(db: Db, roundId: string) {
  const rows = await db
    .select({ o: overrides, fullName: users.fullName, phone: users.phone })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.userId))
    .where(eq(overrides.roundId, roundId));
  return rows.sort((a, b) => comparePersonNames(a.fullName, b.fullName) || compareVi(a.phone, b.phone));
}

/** A resident's own overrides, every round (what they were granted; not the staff's reason). */
export function overridesOfUser(db: Db, userId: string) {
  return db
    .select({ roundId: overrides.roundId, extraAttempts: overrides.extraAttempts, extraSeconds: overrides.extraSeconds })
    .from(overrides)
    .where(eq(overrides.userId, userId));
}

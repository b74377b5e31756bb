import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { attempts, localities, rounds, submissions, units, users, type User } from '../../../../db/schema/index';

export type NewUser = typeof users.$inferInsert;

export function findUserByPhone(db: Db, phone: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.phone, phone) });
}

export function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

/** Inserts unless phone or national id is taken; returns which one clashed instead. */
export async function insertUser(db: Db, user: NewUser): Promise<{ user: User } | { taken: 'phone' | 'nationalId' }> {
  const [row] = await db.insert(users).values(user).onConflictDoNothing().returning();
  if (row) return { user: row };
  const byPhone = await db.select({ id: users.id }).from(users).where(eq(users.phone, user.phone)).limit(1);
  return { taken: byPhone.length ? 'phone' : 'nationalId' };
}

export async function localityExists(db: Db, id: string) {
  return (await db.select({ id: localities.id }).from(localities).where(eq(localities.id, id)).limit(1)).length > 0;
}

export async function unitExists(db: Db, id: string) {
  return (await db.select({ id: units.id }).from(units).where(eq(units.id, id)).limit(1)).length > 0;
}

export function listAttemptsOfUser(db: Db, userId: string) {
  return db
    .select({
      attemptId: attempts.id,
      roundId: attempts.roundId,
      contestId: rounds.contestId,
      roundNumber: rounds.number,
      attemptNo: attempts.attemptNo,
      startedAt: attempts.startedAt,
      deadline: attempts.deadline,
      total: sql<number>`cardinality(${attempts.questionIds})`.mapWith(Number),
      submittedAt: submissions.submittedAt,
      durationMs: submissions.durationMs,
      score: submissions.score,
      revealScore: rounds.revealScore,
      closesAt: rounds.closesAt,
      // A question this attempt drew had its key corrected or was voided after the fact.
      corrected: sql<boolean>`exists (select 1 from question_reviews v where v.kind <> 'confirmation' and v.question_id = any(${attempts.questionIds}))`,
    })
    .from(attempts)
    .innerJoin(rounds, eq(rounds.id, attempts.roundId))
    .leftJoin(submissions, and(eq(submissions.attemptId, attempts.id)))
    .where(eq(attempts.userId, userId))
    .orderBy(desc(attempts.startedAt));
}

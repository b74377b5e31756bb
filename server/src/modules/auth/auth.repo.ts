import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';
import { attempts, localities, loginFailures, rounds, submissions, units, users, type User } from '../../../../db/schema/index';
import { LOGIN_FAILURES_FORGET_MS, loginDelayMs } from '../../lib/login-failures';

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
      roundTitle: rounds.title,
      attemptNo: attempts.attemptNo,
      startedAt: attempts.startedAt,
      deadline: attempts.deadline,
      total: sql<number>`cardinality(${attempts.questionIds})`.mapWith(Number),
      submittedAt: submissions.submittedAt,
      durationMs: submissions.durationMs,
      score: submissions.score,
      revealScore: rounds.revealScore,
      closesAt: rounds.closesAt,
      // Only asked for rounds whose scores wait for the sealing; the function reads a handful of rows.
      sealedAt: sql<Date | null>`case when ${rounds.revealScore} = 'after_close' then round_sealed_at(${rounds.id}, ${SUBMIT_GRACE_MS}::int) end`.mapWith(
        (v) => (v === null ? null : new Date(v as string)),
      ),
      // A question this attempt drew had its key corrected or was voided after the fact.
      corrected: sql<boolean>`exists (select 1 from question_reviews v where v.kind <> 'confirmation' and v.question_id = any(${attempts.questionIds}))`,
    })
    .from(attempts)
    .innerJoin(rounds, eq(rounds.id, attempts.roundId))
    .leftJoin(submissions, and(eq(submissions.attemptId, attempts.id)))
    .where(eq(attempts.userId, userId))
    .orderBy(desc(attempts.startedAt));
}

/** The login's own failure record (for a phone with or without an account). */
export async function loginBlock(db: Db, phone: string): Promise<{ failures: number; blockedUntil: Date | null } | null> {
  const [row] = await db
    .select({ failures: loginFailures.failures, blockedUntil: loginFailures.blockedUntil })
    .from(loginFailures)
    .where(eq(loginFailures.phone, phone));
  return row ?? null;
}

/** Counts one more failure (after a long quiet spell, the first again) and sets the wait it earns. */
export async function recordLoginFailure(db: Db, phone: string, now: Date): Promise<{ failures: number; blockedUntil: Date | null }> {
  const forgetBefore = new Date(now.getTime() - LOGIN_FAILURES_FORGET_MS);
  const [row] = await db
    .insert(loginFailures)
    .values({ phone, failures: 1, lastAt: now })
    .onConflictDoUpdate({
      target: loginFailures.phone,
      set: {
        failures: sql`case when ${loginFailures.lastAt} < ${forgetBefore.toISOString()}::timestamptz then 1 else ${loginFailures.failures} + 1 end`,
        lastAt: now,
      },
    })
    .returning({ failures: loginFailures.failures });
  const delay = loginDelayMs(row.failures);
  const blockedUntil = delay > 0 ? new Date(now.getTime() + delay) : null;
  await db.update(loginFailures).set({ blockedUntil }).where(eq(loginFailures.phone, phone));
  return { failures: row.failures, blockedUntil };
}

export async function clearLoginFailures(db: Db, phone: string) {
  await db.delete(loginFailures).where(eq(loginFailures.phone, phone));
}

export type AccountChange = Partial<Pick<typeof users.$inferInsert, 'role' | 'disabledAt' | 'passwordHash' | 'passwordChangeRequired'>>;

/**
 * Applies `change` and bumps the token version in one statement: every token issued
 * before stops working (each API process learns it within its poll period).
 */
export async function bumpTokenVersion(db: Db, userId: string, change: AccountChange = {}): Promise<User | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...change, tokenVersion: sql`${users.tokenVersion} + 1`, tokenChangedAt: sql`now()` })
    .where(eq(users.id, userId))
    .returning();
  return row;
}

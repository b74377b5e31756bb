import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';
import { attempts, localities, loginFailures, rounds, submissions, units, users, type User } from '../../../../db/schema/index';
import { FREE_LOGIN_FAILURES, LOGIN_DELAYS_MS, LOGIN_FAILURES_FORGET_MS } from '../../lib/login-failures';

const DELAYS = JSON.stringify(LOGIN_DELAYS_MS);

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

/**
 * Counts a login as a failure before its password is checked, in one statement, unless the
 * phone must still wait: answers null when the login may go on, else until when it waits.
 * A burst of guesses sent at once is then counted as the same guesses one after the other
 * (the count, and the wait it earns, move on under the row's lock before any check): no
 * more than FREE_LOGIN_FAILURES passwords are checked before the 429. A success clears the
 * count (clearLoginFailures); a login whose password was not checked gives its count back
 * (releaseLoginAttempt).
 */
export async function reserveLoginAttempt(db: Db, phone: string, now: Date): Promise<Date | null> {
  const at = now.toISOString();
  const forgetBefore = new Date(now.getTime() - LOGIN_FAILURES_FORGET_MS).toISOString();
  // After a long quiet spell, the first failure again.
  const count = sql`case when f.last_at < ${forgetBefore}::timestamptz then 1 else f.failures + 1 end`;
  const until = (n: SQL) =>
    sql`nullif(${at}::timestamptz + make_interval(secs => (${DELAYS}::jsonb ->> (least(${n}, ${LOGIN_DELAYS_MS.length}) - 1))::int / 1000.0), ${at}::timestamptz)`;
  const counted = await rawRows<{ phone: string }>(
    db,
    sql`insert into login_failures as f (phone, failures, last_at, blocked_until)
        values (${phone}, 1, ${at}::timestamptz, ${until(sql`1`)})
        on conflict (phone) do update set failures = ${count}, last_at = excluded.last_at, blocked_until = ${until(count)}
        where f.blocked_until is null or f.blocked_until <= ${at}::timestamptz
        returning f.phone`,
  );
  if (counted.length) return null;
  // Refused: how long the wait that refused it still runs.
  const [row] = await db.select({ blockedUntil: loginFailures.blockedUntil }).from(loginFailures).where(eq(loginFailures.phone, phone));
  // Cleared or run out in between: wait a second rather than check a login left uncounted.
  return row?.blockedUntil && row.blockedUntil > now ? row.blockedUntil : new Date(now.getTime() + 1000);
}

/**
 * Gives back the count of a login whose password was not checked (the hashing cap's 429):
 * a flood of other logins must not lock a resident out. The wait stays if the count still
 * earns one (it may be another login's).
 */
export async function releaseLoginAttempt(db: Db, phone: string): Promise<void> {
  await db
    .update(loginFailures)
    .set({
      failures: sql`${loginFailures.failures} - 1`,
      blockedUntil: sql`case when ${loginFailures.failures} - 1 < ${FREE_LOGIN_FAILURES} then null else ${loginFailures.blockedUntil} end`,
    })
    .where(and(eq(loginFailures.phone, phone), sql`${loginFailures.failures} > 0`));
}

export async function clearLoginFailures(db: Db, phone: string) {
  await db.delete(loginFailures).where(eq(loginFailures.phone, phone));
}

export type AccountChange = Partial<Pick<typeof users.$inferInsert, 'role' | 'disabledAt' | 'passwordHash' | 'passwordChangeRequired'>>;

/**
 * Applies `change` and bumps the token version in one statement: every token issued
 * before stops working (each API process learns it within its poll period). With
 * `ifVersion`, only if the version is still that one (undefined otherwise): a change
 * decided on an earlier read cannot undo one made since.
 */
export async function bumpTokenVersion(db: Db, userId: string, change: AccountChange = {}, ifVersion?: number): Promise<User | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...change, tokenVersion: sql`${users.tokenVersion} + 1`, tokenChangedAt: sql`now()` })
    .where(ifVersion === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.tokenVersion, ifVersion)))
    .returning();
  return row;
}

import { and, asc, eq, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { attempts, contests, localities, roundQuestions, rounds, units, type Contest, type Round } from '../../../../db/schema/index';

export function listVisibleContests(db: Db) {
  return db.select().from(contests).where(ne(contests.status, 'draft')).orderBy(asc(contests.createdAt));
}

/** By id or by slug, so public URLs can be readable. */
export function findContest(db: Db, idOrSlug: string): Promise<Contest | undefined> {
  return db.query.contests.findFirst({ where: or(eq(contests.id, idOrSlug), eq(contests.slug, idOrSlug)) });
}

export function listRounds(db: Db, contestId: string) {
  return db.select().from(rounds).where(eq(rounds.contestId, contestId)).orderBy(asc(rounds.number));
}

export function listLocalities(db: Db, contestId: string) {
  return db.select({ id: localities.id, name: localities.name }).from(localities).where(eq(localities.contestId, contestId)).orderBy(asc(localities.name));
}

export function listUnits(db: Db, contestId: string) {
  return db.select({ id: units.id, name: units.name }).from(units).where(eq(units.contestId, contestId)).orderBy(asc(units.name));
}

export async function insertContest(db: Db, values: typeof contests.$inferInsert): Promise<Contest | undefined> {
  const [row] = await db.insert(contests).values(values).onConflictDoNothing({ target: contests.slug }).returning();
  return row;
}

export async function slugTakenByOther(db: Db, slug: string, contestId: string) {
  const rows = await db.select({ id: contests.id }).from(contests).where(and(eq(contests.slug, slug), ne(contests.id, contestId))).limit(1);
  return rows.length > 0;
}

export async function updateContest(db: Db, id: string, values: Partial<typeof contests.$inferInsert>): Promise<Contest | undefined> {
  const [row] = await db.update(contests).set({ ...values, updatedAt: new Date() }).where(eq(contests.id, id)).returning();
  return row;
}

export function findRound(db: Db, id: string): Promise<Round | undefined> {
  return db.query.rounds.findFirst({ where: eq(rounds.id, id) });
}

export async function roundNumberTaken(db: Db, contestId: string, number: number, exceptRoundId?: string) {
  const where = exceptRoundId
    ? and(eq(rounds.contestId, contestId), eq(rounds.number, number), ne(rounds.id, exceptRoundId))
    : and(eq(rounds.contestId, contestId), eq(rounds.number, number));
  return (await db.select({ id: rounds.id }).from(rounds).where(where).limit(1)).length > 0;
}

export async function insertRound(db: Db, values: typeof rounds.$inferInsert): Promise<Round | undefined> {
  const [row] = await db.insert(rounds).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateRound(db: Db, id: string, values: Partial<typeof rounds.$inferInsert>): Promise<Round | undefined> {
  const [row] = await db.update(rounds).set({ ...values, updatedAt: new Date() }).where(eq(rounds.id, id)).returning();
  return row;
}

export async function poolSize(db: Db, roundId: string): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(roundQuestions).where(eq(roundQuestions.roundId, roundId));
  return r?.n ?? 0;
}

export async function maxAttemptNo(db: Db, roundId: string): Promise<number> {
  const [r] = await db.select({ n: sql<number>`coalesce(max(${attempts.attemptNo}), 0)::int` }).from(attempts).where(eq(attempts.roundId, roundId));
  return r?.n ?? 0;
}

export async function roundHasAttempts(db: Db, roundId: string): Promise<boolean> {
  return (await db.select({ id: attempts.id }).from(attempts).where(eq(attempts.roundId, roundId)).limit(1)).length > 0;
}

import { and, asc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { lockKey, rawRows, type Db } from '../../../../db/client';
import { compareVi, comparePersonNames, sortByName } from '../../lib/collation';
import { attempts, contestMembers, contests, localities, roundQuestions, rounds, units, users, type Contest, type Round } from '../../../../db/schema/index';

export function listVisibleContests(db: Db) {
  return db.select().from(contests).where(ne(contests.status, 'draft')).orderBy(asc(contests.createdAt));
}

/** By id or by slug, so public URLs can be readable. */
export function findContest(db: Db, idOrSlug: string): Promise<Contest | undefined> {
  // The id wins over a slug that happens to equal it.
  return db.query.contests.findFirst({ where: or(eq(contests.id, idOrSlug), eq(contests.slug, idOrSlug)), orderBy: sql`${contests.id} = ${idOrSlug} desc` });
}

export function listRounds(db: Db, contestId: string) {
  return db.select().from(rounds).where(eq(rounds.contestId, contestId)).orderBy(asc(rounds.number));
}

/** In Vietnamese alphabetical order (lib/collation.ts), as the registration form lists them. */
export async function listLocalities(db: Db, contestId: string) {
  return sortByName(await db.select({ id: localities.id, name: localities.name }).from(localities).where(eq(localities.contestId, contestId)), (l) => l.name);
}

export async function listUnits(db: Db, contestId: string) {
  return sortByName(await db.select({ id: units.id, name: units.name }).from(units).where(eq(units.contestId, contestId)), (u) => u.name);
}

export async function insertContest(db: Db, values: typeof contests.$inferInsert): Promise<Contest | undefined> {
  const [row] = await db.insert(contests).values(values).onConflictDoNothing({ target: contests.slug }).returning();
  return row;
}

export async function slugTakenByOther(db: Db, slug: string, contestId: string) {
  const rows = await db
    .select({ id: contests.id })
    .from(contests)
    .where(and(eq(contests.slug, slug), ne(contests.id, contestId)))
    .limit(1);
  return rows.length > 0;
}

export async function updateContest(db: Db, id: string, values: Partial<typeof contests.$inferInsert>): Promise<Contest | undefined> {
  const [row] = await db
    .update(contests)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(contests.id, id))
    .returning();
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
  const [row] = await db
    .update(rounds)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(rounds.id, id))
    .returning();
  return row;
}

export async function poolSize(db: Db, roundId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(roundQuestions)
    .where(eq(roundQuestions.roundId, roundId));
  return r?.n ?? 0;
}

export async function maxAttemptNo(db: Db, roundId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`coalesce(max(${attempts.attemptNo}), 0)::int` })
    .from(attempts)
    .where(eq(attempts.roundId, roundId));
  return r?.n ?? 0;
}

export async function roundHasAttempts(db: Db, roundId: string): Promise<boolean> {
  return (await db.select({ id: attempts.id }).from(attempts).where(eq(attempts.roundId, roundId)).limit(1)).length > 0;
}

/** Holds the round row until the transaction ends: overrides, closing and sealing checks serialize on it. */
export async function lockRound(db: Db, roundId: string, mode: 'update' | 'share' = 'update'): Promise<void> {
  await db.execute(
    mode === 'update' ? sql`select id from rounds where id = ${roundId} for update` : sql`select id from rounds where id = ${roundId} for share`,
  );
}

/** When no submission of the round can be accepted any more (migration 0012's round_sealed_at). */
export async function roundSealedAt(db: Db, roundId: string, graceMs: number): Promise<Date | null> {
  const rows = await rawRows<{ at: string | Date | null }>(db, sql`select round_sealed_at(${roundId}, ${graceMs}::int) as at`);
  const at = rows[0]?.at;
  return at ? new Date(at) : null;
}

/** What staff see of each round beyond the public view: when it is sealed, and how many questions its pool holds. */
export async function staffFactsOfContest(db: Db, contestId: string, graceMs: number): Promise<Map<string, { sealedAt: Date; poolSize: number }>> {
  const rows = await rawRows<{ id: string; at: string | Date; pool: number }>(
    db,
    sql`select r.id, round_sealed_at(r.id, ${graceMs}::int) as at,
               (select count(*) from round_questions rq where rq.round_id = r.id)::int as pool
        from rounds r where r.contest_id = ${contestId}`,
  );
  return new Map(rows.map((r) => [r.id, { sealedAt: new Date(r.at), poolSize: Number(r.pool) }]));
}

/**
 * Locks the attempts that have no stored submission, waiting for submissions being written
 * (their INSERT holds the attempt FOR SHARE). A statement that moves deadlines must run
 * after it: its snapshot then sees every submission that committed meanwhile, and no other
 * can be written for the locked attempts until this transaction ends, so the deadline of a
 * submitted attempt is never moved (the trigger of migration 0023 would refuse it).
 */
export async function lockUnsubmittedAttempts(db: Db, where: { roundId: string; userId?: string }): Promise<void> {
  await db.execute(sql`
    select a.id from attempts a
    where a.round_id = ${where.roundId} ${where.userId === undefined ? sql`` : sql`and a.user_id = ${where.userId}`}
      and not exists (select 1 from submissions s where s.attempt_id = a.id)
    for no key update of a`);
}

/**
 * Closing early: every unsubmitted attempt of the round ends at the new closesAt, plus
 * the resident's extra seconds if an override grants some (API.md v1.1). The caller holds
 * the round FOR UPDATE, so no attempt is being created meanwhile (a start waits for it).
 */
export async function clampRunningDeadlines(db: Db, roundId: string, closesAt: Date): Promise<number> {
  await lockUnsubmittedAttempts(db, { roundId });
  const rows = await rawRows<{ id: string }>(
    db,
    sql`
      update attempts a
      set deadline = x.ends
      from (
        -- An attempt started after the new closesAt ends at once (a deadline must follow its start).
        select a2.id, greatest(${closesAt.toISOString()}::timestamptz + make_interval(secs => coalesce(o.extra_seconds, 0)), a2.started_at + interval '1 millisecond') as ends
        from attempts a2
        left join overrides o on o.round_id = a2.round_id and o.user_id = a2.user_id
        where a2.round_id = ${roundId}
          and not exists (select 1 from submissions s where s.attempt_id = a2.id)
      ) x
      where a.id = x.id and a.deadline > x.ends
      returning a.id`,
  );
  return rows.length;
}

export type MemberRole = 'organizer' | 'judge';

/** Organizers, then judges, each by name as Vietnamese lists are kept (given name first), then phone. */
export async function listMembers(db: Db, contestId: string) {
  const rows = await db
    .select({ userId: contestMembers.userId, fullName: users.fullName, phone: users.phone, role: contestMembers.role })
    .from(contestMembers)
    .innerJoin(users, eq(users.id, contestMembers.userId))
    .where(eq(contestMembers.contestId, contestId));
  return rows.sort(
    (a, b) => (a.role === b.role ? 0 : a.role === 'organizer' ? -1 : 1) || comparePersonNames(a.fullName, b.fullName) || compareVi(a.phone, b.phone),
  );
}

export async function addMember(db: Db, contestId: string, userId: string, role: MemberRole) {
  await db
    .insert(contestMembers)
    .values({ contestId, userId, role })
    .onConflictDoUpdate({ target: [contestMembers.contestId, contestMembers.userId], set: { role } });
}

/**
 * Two replacements of one contest's members run one after the other: each deletes then
 * inserts, so interleaved they would insert the same member twice (23505).
 */
export async function lockMembers(db: Db, contestId: string) {
  await lockKey(db, 'members:' + contestId);
}

export async function replaceMembers(db: Db, contestId: string, members: { userId: string; role: MemberRole }[]) {
  await db.delete(contestMembers).where(eq(contestMembers.contestId, contestId));
  if (members.length) await db.insert(contestMembers).values(members.map((m) => ({ contestId, ...m })));
}

export function findUsersByPhones(db: Db, phones: string[]) {
  if (!phones.length) return Promise.resolve([]);
  return db.select({ id: users.id, phone: users.phone, role: users.role, fullName: users.fullName }).from(users).where(inArray(users.phone, phones));
}

/** The contests an account acts on: its memberships whose role is still the account's. */
export function listContestsOfMember(db: Db, userId: string) {
  return db
    .select({ contest: contests, role: contestMembers.role })
    .from(contestMembers)
    .innerJoin(contests, eq(contests.id, contestMembers.contestId))
    .innerJoin(users, and(eq(users.id, contestMembers.userId), sql`${users.role}::text = ${contestMembers.role}::text`))
    .where(eq(contestMembers.userId, userId))
    .orderBy(asc(contests.createdAt));
}

export function listAllContests(db: Db) {
  return db.select().from(contests).orderBy(asc(contests.createdAt));
}

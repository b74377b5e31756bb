import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { lockKey, type Db } from '../../../../db/client';
import { attempts, questions, roundQuestions, type Question } from '../../../../db/schema/index';
import { matchesSearch } from '../../lib/collation';

/** A contest's bank, of one topic when given; `q` matches the text with or without accents (lib/collation.ts searchKey). */
export async function listQuestions(db: Db, contestId: string, filter: { topic?: string; q?: string }) {
  const conds = [eq(questions.contestId, contestId)];
  if (filter.topic) conds.push(eq(questions.topic, filter.topic));
  const rows = await db
    .select()
    .from(questions)
    .where(and(...conds))
    .orderBy(asc(questions.createdAt), asc(questions.id));
  // A contest's bank is hundreds of questions: compared here, where the rule lives, not in SQL.
  return filter.q ? rows.filter((q) => matchesSearch(q.text, filter.q!)) : rows;
}

export function findQuestion(db: Db, id: string): Promise<Question | undefined> {
  return db.query.questions.findFirst({ where: eq(questions.id, id) });
}

/**
 * The question under a row lock until the transaction ends (as a correction's lockQuestion):
 * two edits, or an edit and a correction, of one question run one after the other, each
 * reading what the other wrote; a deletion waits too, and so does a pool that takes the
 * question in (questionsOfContest, KEY SHARE).
 */
export async function lockQuestion(db: Db, id: string): Promise<Question | undefined> {
  const [row] = await db.select().from(questions).where(eq(questions.id, id)).for('update');
  return row;
}

/**
 * Locks the rounds whose pool holds the question, in id order, after the question (the
 * order a correction takes them in). FOR UPDATE, not NO KEY UPDATE: a start's foreign key
 * check on its round takes KEY SHARE, so no attempt of these rounds can commit between an
 * edit's "no attempts yet" check and its write.
 */
export async function lockRoundsHolding(db: Db, questionId: string): Promise<void> {
  await db.execute(
    sql`select r.id from rounds r where r.id in (select rq.round_id from round_questions rq where rq.question_id = ${questionId})
        order by r.id collate "C" for update`,
  );
}

export async function insertQuestion(db: Db, values: typeof questions.$inferInsert): Promise<Question> {
  const [row] = await db.insert(questions).values(values).returning();
  return row;
}

export async function updateQuestion(db: Db, id: string, values: Partial<typeof questions.$inferInsert>): Promise<Question> {
  const [row] = await db
    .update(questions)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(questions.id, id))
    .returning();
  return row;
}

export async function deleteQuestion(db: Db, id: string) {
  await db.delete(roundQuestions).where(eq(roundQuestions.questionId, id));
  await db.delete(questions).where(eq(questions.id, id));
}

/** Whether the question sits in the pool of a round that already has attempts. */
/** The contest's questions in the pool of a round that has attempts: they can no longer be edited or deleted. */
export async function lockedQuestions(db: Db, contestId: string): Promise<Set<string>> {
  const result = await db.execute(sql`
    select distinct rq.question_id
    from round_questions rq
    join rounds r on r.id = rq.round_id
    where r.contest_id = ${contestId} and exists (select 1 from attempts a where a.round_id = r.id)`);
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as { question_id: string }[];
  return new Set(rows.map((r) => r.question_id));
}

export async function questionIsLocked(db: Db, questionId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql`1` })
    .from(roundQuestions)
    .innerJoin(attempts, eq(attempts.roundId, roundQuestions.roundId))
    .where(eq(roundQuestions.questionId, questionId))
    .limit(1);
  return rows.length > 0;
}

/**
 * The ids that are questions of the contest, held (KEY SHARE) until the transaction ends:
 * taken before the round's lock, so a pool and an edit or deletion of one of its questions
 * (question, then rounds) lock in one order and never deadlock.
 */
export function questionsOfContest(db: Db, contestId: string, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([] as { id: string }[]);
  return db
    .select({ id: questions.id })
    .from(questions)
    .where(and(eq(questions.contestId, contestId), inArray(questions.id, ids)))
    .for('key share');
}

export async function replacePool(db: Db, roundId: string, questionIds: string[]) {
  await db.delete(roundQuestions).where(eq(roundQuestions.roundId, roundId));
  if (questionIds.length) await db.insert(roundQuestions).values(questionIds.map((questionId, position) => ({ roundId, questionId, position })));
}

export function poolQuestions(db: Db, roundId: string) {
  return db
    .select({ q: questions })
    .from(roundQuestions)
    .innerJoin(questions, eq(questions.id, roundQuestions.questionId))
    .where(eq(roundQuestions.roundId, roundId))
    .orderBy(asc(roundQuestions.position));
}

/** Serializes imports into one contest, so two files cannot both add the same question. */
export async function lockContestBank(db: Db, contestId: string) {
  await lockKey(db, 'questions:' + contestId);
}

/** What the lint reads of a bank. */
export function bankForLint(db: Db, contestId: string) {
  return db
    .select({ id: questions.id, text: questions.text, options: questions.options })
    .from(questions)
    .where(eq(questions.contestId, contestId))
    .orderBy(asc(questions.createdAt), asc(questions.id));
}

export type NewQuestion = Pick<typeof questions.$inferInsert, 'contestId' | 'text' | 'options' | 'topic' | 'explanation'>;

/**
 * One multi-row INSERT (callers batch to stay under Postgres's 65,535 parameters).
 * `order` spaces created_at by microseconds so the bank lists in file order.
 */
export async function insertQuestions(db: Db, rows: NewQuestion[], order: number): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(questions)
    .values(rows.map((r, i) => ({ ...r, createdAt: sql`now() + make_interval(secs => ${(order + i) / 1e6})` as unknown as Date })))
    .returning({ id: questions.id });
  return inserted.map((r) => r.id);
}

/**
 * Questions of the contest whose answer is public: in the pool of a sealed round (other
 * than `exceptRoundId`), where the answer key is served to anyone.
 */
export async function publishedQuestions(db: Db, contestId: string, graceMs: number, now: Date, exceptRoundId?: string): Promise<Map<string, string>> {
  const result = await db.execute(sql`
    select distinct on (rq.question_id) rq.question_id, r.id as round_id
    from rounds r
    join round_questions rq on rq.round_id = r.id
    where r.contest_id = ${contestId}
      and r.id <> ${exceptRoundId ?? ''}
      and r.closes_at + make_interval(secs => ${graceMs}::int / 1000.0) <= ${now.toISOString()}::timestamptz
      and (r.finalized_at is not null or round_sealed_at(r.id, ${graceMs}::int) <= ${now.toISOString()}::timestamptz)
    order by rq.question_id, r.closes_at`);
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as { question_id: string; round_id: string }[];
  return new Map(rows.map((r) => [r.question_id, r.round_id]));
}

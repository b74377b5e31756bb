import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../../../db/client';
import { contests, questions, roundQuestions, rounds, type Round, type StoredOption } from '../../../../db/schema/index';
import { sqlState } from '../../lib/errors';
import { isoString } from '../../lib/iso-time';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';

export interface PoolQuestion {
  id: string;
  text: string;
  options: StoredOption[];
  /** Voided by a correction (counts as correct for everyone who drew it). */
  voided: boolean;
}

const poolColumns = { id: questions.id, text: questions.text, options: questions.options, voided: sql<boolean>`${questions.voidedAt} is not null` };

export interface RoundSnapshot {
  round: Round;
  contestStatus: 'draft' | 'active' | 'archived';
  pool: PoolQuestion[];
}

/**
 * The round, its contest's status and its pool with the answer key: what the hot path caches.
 * The round (and its draw_version) is read before the pool, so a change in between pairs an
 * older version with a newer pool, which start_attempts() refuses as stale, never the reverse.
 */
export async function loadRoundSnapshot(database: Database, roundId: string): Promise<RoundSnapshot | null> {
  const db = database.db;
  const [row] = await db
    .select({ round: rounds, contestStatus: contests.status })
    .from(rounds)
    .innerJoin(contests, eq(contests.id, rounds.contestId))
    .where(eq(rounds.id, roundId))
    .limit(1);
  if (!row) return null;
  const pool = await db
    .select(poolColumns)
    .from(roundQuestions)
    .innerJoin(questions, eq(questions.id, roundQuestions.questionId))
    .where(eq(roundQuestions.roundId, roundId))
    .orderBy(asc(roundQuestions.position), asc(questions.id));
  return { round: row.round, contestStatus: row.contestStatus, pool };
}

/** Questions by id, for an attempt drawn from a pool that has changed since. */
export function loadQuestions(database: Database, ids: string[]): Promise<PoolQuestion[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return database.db.select(poolColumns).from(questions).where(inArray(questions.id, ids));
}

export interface AttemptRecord {
  id: string;
  userId: string;
  roundId: string;
  attemptNo: number;
  seed: number;
  questionIds: string[];
  startedAtMs: number;
  deadlineMs: number;
}

export interface StoredResult {
  submittedAtMs: number;
  durationMs: number;
  score: number;
  total: number;
}

export type StartOutcome =
  | { kind: 'created' | 'running'; attempt: AttemptRecord }
  | { kind: 'refused'; reason: 'unknown_user' | 'not_resident' | 'excluded' | 'not_open' | 'exhausted' }
  /** It would have been created, but was drawn from another version of the round than the current one (migration 0024). */
  | { kind: 'stale' };

/** One row of start_attempts() (migrations 0021, 0024) per request. */
interface StartRow {
  ord: number;
  kind: 'running' | 'created' | 'stale' | 'state';
  id: string | null;
  attempt_no: number | null;
  seed: number | null;
  question_ids: string[] | null;
  started_ms: number | null;
  deadline_ms: number | null;
  role: string | null;
  excluded: boolean | null;
  is_open: boolean | null;
  used: number | null;
  max_attempts: number | null;
}

export interface StartRequest {
  attemptId: string;
  userId: string;
  roundId: string;
  seed: number;
  questionIds: string[];
  now: Date;
  /** The round's draw_version the questions were drawn from (attempts.cache.ts). */
  version: number;
}

/**
 * Starts (or resumes) attempts for a batch of requests in one statement, so one
 * transaction and one commit: start_attempts() (migration 0021) answers every request in one
 * query. Two requests for one person in a batch, or two processes racing for one attempt
 * number, fail the statement with 23505: the caller runs the requests again one by one (and
 * the later ones resume).
 */
export async function startAttempts(database: Database, reqs: StartRequest[]): Promise<StartOutcome[]> {
  const payload = JSON.stringify(
    reqs.map((p, i) => ({
      ord: i + 1,
      attempt_id: p.attemptId,
      user_id: p.userId,
      round_id: p.roundId,
      seed: p.seed,
      question_ids: p.questionIds,
      now: p.now.toISOString(),
      version: p.version,
    })),
  );
  const rows = await database.hotRows<StartRow>(sql`select * from start_attempts(${payload}::jsonb, ${SUBMIT_GRACE_MS})`);
  const byReq: (StartRow | undefined)[] = reqs.map(() => undefined);
  for (const r of rows) byReq[Number(r.ord) - 1] = r;
  return reqs.map((p, i) => toOutcome(p, byReq[i]));
}

function toOutcome(p: StartRequest, row: StartRow | undefined): StartOutcome {
  if (!row || row.role === null) return { kind: 'refused', reason: 'unknown_user' };
  if (row.role !== 'resident') return { kind: 'refused', reason: 'not_resident' };
  if (row.excluded) return { kind: 'refused', reason: 'excluded' };
  if (row.kind === 'created' || row.kind === 'running') {
    return {
      kind: row.kind,
      attempt: {
        id: row.id!,
        userId: p.userId,
        roundId: p.roundId,
        attemptNo: Number(row.attempt_no),
        seed: Number(row.seed),
        questionIds: row.question_ids ?? p.questionIds,
        startedAtMs: Number(row.started_ms),
        deadlineMs: Number(row.deadline_ms),
      },
    };
  }
  if (row.kind === 'stale') return { kind: 'stale' };
  if (!row.is_open) return { kind: 'refused', reason: 'not_open' };
  return { kind: 'refused', reason: 'exhausted' };
}

export interface AttemptWithResult extends AttemptRecord {
  result: StoredResult | null;
}

interface AttemptRow {
  id: string;
  user_id: string;
  round_id: string;
  attempt_no: number;
  seed: number;
  question_ids: string[];
  started_ms: number;
  deadline_ms: number;
  submitted_ms: number | null;
  duration_ms: number | null;
  score: number | null;
  total: number | null;
}

/** Attempts by id with their submission, if any: one query for a whole batch of requests. */
export async function loadAttempts(database: Database, ids: string[]): Promise<Map<string, AttemptWithResult>> {
  const rows = await database.hotRows<AttemptRow>(sql`
    select a.id, a.user_id, a.round_id, a.attempt_no, a.seed, a.question_ids,
           floor(extract(epoch from a.started_at) * 1000)::float8 as started_ms,
           floor(extract(epoch from a.deadline) * 1000)::float8 as deadline_ms,
           floor(extract(epoch from s.submitted_at) * 1000)::float8 as submitted_ms,
           s.duration_ms, s.score, s.total
    from attempts a left join submissions s on s.attempt_id = a.id
    where a.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
  `);
  const out = new Map<string, AttemptWithResult>();
  for (const r of rows) {
    out.set(r.id, {
      id: r.id,
      userId: r.user_id,
      roundId: r.round_id,
      attemptNo: Number(r.attempt_no),
      seed: Number(r.seed),
      questionIds: r.question_ids,
      startedAtMs: Number(r.started_ms),
      deadlineMs: Number(r.deadline_ms),
      result:
        r.submitted_ms === null
          ? null
          : { submittedAtMs: Number(r.submitted_ms), durationMs: Number(r.duration_ms), score: Number(r.score), total: Number(r.total) },
    });
  }
  return out;
}

export interface SubmissionRow {
  attemptId: string;
  roundId: string;
  userId: string;
  /** lib/choices.ts encodeChoices. */
  choices: Buffer;
  /** lib/choices.ts answerSignatures. */
  answersSeq: bigint | null;
  answersSet: bigint | null;
  prediction: number;
  score: number;
  total: number;
  submittedAt: Date;
  durationMs: number;
  clientIp?: string | null;
  deviceId?: string | null;
}

/**
 * One multi-row INSERT for a whole batch. The rows travel as one jsonb parameter, so a
 * batch of any size stays far below Postgres's 65,535 bind parameters. The deadline is
 * copied from the attempt (the CHECK on submitted_at holds it), so is its number (finalize
 * shows it), and a row whose attempt is gone or belongs to someone else is simply not
 * inserted. The attempt stays locked FOR SHARE until the statement commits: with the
 * triggers on attempts (migration 0023) this is what ties a submission to its attempt, as a
 * foreign key would, without a key check per row. Returns the attempt ids that were
 * inserted; the others already had a submission.
 */
export async function insertSubmissions(database: Database, rows: SubmissionRow[]): Promise<Set<string>> {
  const payload = JSON.stringify(
    rows.map((r) => ({
      attempt_id: r.attemptId,
      round_id: r.roundId,
      user_id: r.userId,
      choices: r.choices.toString('hex'),
      seq: r.answersSeq === null ? null : String(r.answersSeq),
      set: r.answersSet === null ? null : String(r.answersSet),
      prediction: r.prediction,
      score: r.score,
      total: r.total,
      submitted_at: isoString(r.submittedAt.getTime()),
      duration_ms: r.durationMs,
      client_ip: r.clientIp ?? null,
      device_id: r.deviceId ?? null,
    })),
  );
  const inserted = await database.hotRows<{ attempt_id: string }>(sql`
    insert into submissions (attempt_id, round_id, user_id, attempt_no, choices, answers_seq, answers_set, prediction, score, total, deadline, submitted_at, duration_ms, client_ip, device_id)
    select x.attempt_id, a.round_id, a.user_id, a.attempt_no, decode(x.choices, 'hex'), x.seq, x.set, x.prediction, x.score, x.total, a.deadline, x.submitted_at::timestamptz, x.duration_ms, x.client_ip, x.device_id
    from jsonb_to_recordset(${payload}::jsonb) as x(
      attempt_id text, round_id text, user_id text, choices text, seq bigint, set bigint, prediction int, score int, total int, submitted_at text, duration_ms int,
      client_ip text, device_id text
    )
    join attempts a on a.id = x.attempt_id and a.user_id = x.user_id and a.round_id = x.round_id
    for share of a
    on conflict (attempt_id) do nothing
    returning attempt_id
  `);
  return new Set(inserted.map((r) => r.attempt_id));
}

const START_RETRIES = 5;

/**
 * A batch of starts (attempts.service.ts group-commits them). One statement for the whole
 * batch, with one request per person and round: start_attempts() sees the attempts as they
 * were when its statement began, so a second request of the same person in the same
 * statement would take the same attempt number. Such requests (a double tap) run after the
 * batch, one by one, and resume what the first one started. If two processes raced for one
 * attempt number the statement fails as a whole (23505, or 23503 when a round's cap changed
 * under it): then each request runs on its own, again, and settles on a fresh read (usually
 * a resume).
 */
export async function startAttemptsSettled(database: Database, reqs: StartRequest[]): Promise<(StartOutcome | Error)[]> {
  const people = new Set<string>();
  const first: number[] = [];
  const again: number[] = [];
  reqs.forEach((r, i) => {
    const key = `${r.userId}\u0000${r.roundId}`;
    if (people.has(key)) again.push(i);
    else {
      people.add(key);
      first.push(i);
    }
  });
  if (again.length === 0) return startBatchSettled(database, reqs);
  const out: (StartOutcome | Error)[] = new Array(reqs.length);
  const firstOut = await startBatchSettled(
    database,
    first.map((i) => reqs[i]),
  );
  first.forEach((i, j) => (out[i] = firstOut[j]));
  for (const i of again) out[i] = await startOneSettled(database, reqs[i]);
  return out;
}

async function startBatchSettled(database: Database, reqs: StartRequest[]): Promise<(StartOutcome | Error)[]> {
  try {
    return await startAttempts(database, reqs);
  } catch (err) {
    const state = sqlState(err);
    if (state !== '23505' && state !== '23503') throw err;
  }
  const out: (StartOutcome | Error)[] = [];
  for (const req of reqs) out.push(await startOneSettled(database, req));
  return out;
}

async function startOneSettled(database: Database, req: StartRequest): Promise<StartOutcome | Error> {
  for (let tries = 1; ; tries++) {
    try {
      return (await startAttempts(database, [req]))[0];
    } catch (err) {
      const state = sqlState(err);
      if ((state === '23505' || state === '23503') && tries < START_RETRIES) continue;
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}

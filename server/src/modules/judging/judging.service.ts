import type { Db } from '../../../../db/client';
import type { Round } from '../../../../db/schema/index';
import { conflict, notFound } from '../../lib/errors';
import { maskPhone } from '../../lib/identity';
import { recordAudit } from '../audit/index';
import { assertSealed, requireContest, requireRound } from '../contests/index';
import * as dq from './disqualifications.repo';
import { inputsFingerprint } from './finalize.sql';
import * as repo from './judging.repo';
import type { RankingFilter, RankingRow } from './judging.schemas';
import { decodeChoices } from '../../lib/choices';
import { shuffleOptions } from '../../lib/draw';
import { answerKey, attemptForReview, keyOfQuestions, withheldQuestionIds } from './key.repo';
import { SubmissionsDigestCache, WithHeaders } from './judging.cache';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';

async function requireResults(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const results = await repo.findResults(db, round.id);
  if (!results) throw conflict('ROUND_NOT_FINALIZED', 'The round has not been finalized yet');
  return { round, results };
}

/**
 * Flagged stale, or something the results read has changed since they were made. With
 * `submissions`, the submissions' part of the digest comes from that cache (the ranking
 * page); without, it is counted now.
 */
async function isStale(db: Db, round: Round, results: { stale: boolean; inputs: string | null }, submissions?: SubmissionsDigestCache): Promise<boolean> {
  if (results.stale) return true;
  const contest = await requireContest(db, round.contestId);
  const scope = { roundId: round.id, contestId: contest.id, roundNumber: round.number, onePrizePerPerson: contest.onePrizePerPerson };
  return results.inputs !== (await inputsFingerprint(db, scope, submissions && ((d, id) => submissions.get(d, id))));
}

/** Results that a judge may sign or publish: finalized and nothing changed since. */
export async function requireCurrentResults(db: Db, roundId: string) {
  const r = await requireResults(db, roundId);
  if (await isStale(db, r.round, r.results))
    throw conflict(
      'RESULTS_STALE',
      'Something the results depend on (disqualifications, the exclusion list, earlier winners, submissions) changed since they were finalized: finalize the round again',
    );
  return r;
}

export function toRankingRow(r: repo.ResultRow): RankingRow {
  return {
    position: r.position,
    rank: r.rank,
    prize: r.prize,
    userId: r.userId,
    fullName: r.fullName ?? '',
    nationalId: r.nationalId,
    phone: r.phone ?? '',
    birthYear: r.birthYear,
    locality: r.locality ?? undefined,
    unit: r.unit ?? undefined,
    category: r.category ?? undefined,
    attemptId: r.attemptId,
    attemptNo: r.attemptNo,
    score: r.score,
    total: r.total,
    prediction: r.prediction,
    predictionError: r.predictionError,
    durationMs: r.durationMs,
    submittedAt: r.submittedAt.toISOString(),
    eligible: r.eligible,
    ineligibleReason: r.ineligibleReason ?? undefined,
    flags: r.flags,
  };
}

/**
 * A page of the finalized rows: positions offset + 1 to offset + limit, or with a filter
 * (`only`, `flag`: an extension) the rows that pass it, paged among themselves, and how many
 * there are (`total`).
 */
export async function getRanking(db: Db, roundId: string, offset: number, limit: number, submissions?: SubmissionsDigestCache, filter: RankingFilter = {}) {
  const { round, results } = await requireResults(db, roundId);
  const page =
    filter.only || filter.flag
      ? await repo.listFilteredRows(db, roundId, filter, offset, limit)
      : { rows: await repo.listResultRows(db, roundId, offset, limit) };
  const { rows } = page;
  const stale = await isStale(db, round, results, submissions);
  return {
    actualCount: results.actualCount,
    participants: results.participants,
    ranked: results.ranked,
    checksum: results.checksum,
    finalizedAt: results.finalizedAt.toISOString(),
    stale,
    offset,
    ...('total' in page ? { total: page.total } : {}),
    rows: rows.map(toRankingRow),
  };
}

export async function disqualify(db: Db, actorId: string, roundId: string, userId: string, reason: string) {
  return db.transaction(async (tx) => {
    const round = await requireRound(tx, roundId);
    await repo.lockRound(tx, round.id);
    if (!(await dq.userHasAttempt(tx, round.id, userId))) throw notFound('Participant');
    const row = await dq.insertDisqualification(tx, { roundId: round.id, userId, reason, createdBy: actorId });
    if (!row) throw conflict('ALREADY_DISQUALIFIED', 'This participant is already disqualified in this round');
    const { resultsStale, publicationWithdrawn } = await resultsChanged(tx, actorId, round, 'round.disqualify', null, row);
    return {
      roundId: row.roundId,
      userId: row.userId,
      reason: row.reason,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      resultsStale,
      publicationWithdrawn,
    };
  });
}

export async function reinstate(db: Db, actorId: string, roundId: string, userId: string) {
  await db.transaction(async (tx) => {
    const round = await requireRound(tx, roundId);
    await repo.lockRound(tx, round.id);
    const row = await dq.deleteDisqualification(tx, round.id, userId);
    if (!row) throw notFound('Disqualification');
    await resultsChanged(tx, actorId, round, 'round.reinstate', row, {});
  });
}

/**
 * Someone was disqualified or reinstated: the results no longer stand. They are marked stale,
 * a published list (a winner may be the one concerned) leaves the public as after a
 * correction, and the audit record says both, with the contest's id.
 */
async function resultsChanged(tx: Db, actorId: string, round: Round, action: string, before: object | null, after: object) {
  const resultsStale = await repo.markStale(tx, round.id);
  const publicationWithdrawn = (await repo.withdrawPublication(tx, [round.id], new Date())).length > 0;
  await recordAudit(tx, {
    actorId,
    action,
    entity: 'round',
    entityId: round.id,
    ...(before ? { before } : {}),
    after: { ...after, contestId: round.contestId, resultsStale, publicationWithdrawn },
  });
  return { resultsStale, publicationWithdrawn };
}

export async function listDisqualifications(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const rows = await dq.listDisqualifications(db, round.id);
  return rows.map((r) => ({ roundId: r.roundId, userId: r.userId, reason: r.reason, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() }));
}

export async function publish(db: Db, actorId: string, roundId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    await requireRound(tx, roundId);
    await repo.lockRound(tx, roundId);
    const { round, results } = await requireCurrentResults(tx, roundId);
    const publishedAt = round.publishedAt ?? now;
    if (!round.publishedAt) {
      await repo.markPublished(tx, round.id, publishedAt);
      await recordAudit(tx, { actorId, action: 'round.publish', entity: 'round', entityId: round.id, after: { checksum: results.checksum, publishedAt } });
    }
    return { roundId: round.id, publishedAt: publishedAt.toISOString(), checksum: results.checksum, actualCount: results.actualCount };
  });
}

export async function publicWinners(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const results = await repo.findResults(db, round.id);
  if (!round.publishedAt || !results) throw conflict('RESULTS_NOT_PUBLISHED', 'The results of this round have not been published yet');
  const rows = await repo.listWinnerRows(db, round.id);
  return {
    actualCount: results.actualCount,
    publishedAt: round.publishedAt.toISOString(),
    winners: rows.map((r) => {
      const { rank, prize, fullName, phone, locality, unit, score, total, prediction, durationMs } = toRankingRow(r);
      // Vietnam's personal data rules (Decree 13/2023): no full phone or national id in public.
      return { rank: rank!, prize: prize!, fullName, maskedPhone: maskPhone(phone), locality, unit, score, total, prediction, durationMs };
    }),
  };
}

export async function publicAnswerKey(db: Db, roundId: string, now = new Date()) {
  const round = await requireRound(db, roundId);
  // A finalized round was sealed when it was finalized, and a sealed round stays sealed.
  if (!round.finalizedAt) await assertSealed(db, round, now, 'The answer key');
  const all = await answerKey(db, round.id);
  const withheld = await withheldQuestionIds(
    db,
    round.id,
    all.map((q) => q.id),
    SUBMIT_GRACE_MS,
    now,
  );
  const rows = all.filter((q) => !withheld.has(q.id));
  const key = rows.map((q) => ({
    questionId: q.id,
    text: q.text,
    options: q.options.map((o) => ({ id: o.id, text: o.text })),
    correctOptionId: q.options.find((o) => o.correct)!.id,
    explanation: q.explanation ?? undefined,
    voided: q.voidedAt ? (true as const) : undefined,
  }));
  return new WithHeaders(key, { 'x-withheld-questions': String(withheld.size) });
}

/**
 * A resident's own attempt beside the answer key (an extension of API.md): the questions it
 * served, in its order with its option order, what was chosen and what is correct. Under the
 * answer key's rule: once the round is sealed (409 ROUND_NOT_CLOSED before), so nobody can
 * still submit. Someone else's attempt is 404, as one that does not exist.
 */
export async function attemptReview(db: Db, userId: string, attemptId: string, now = new Date()) {
  const a = await attemptForReview(db, attemptId);
  if (!a || a.userId !== userId) throw notFound('Attempt');
  const round = await requireRound(db, a.roundId);
  if (!round.finalizedAt) await assertSealed(db, round, now, 'The review');
  const byId = new Map((await keyOfQuestions(db, a.questionIds)).map((q) => [q.id, q]));
  // A question another round still running also draws keeps its key until that round is sealed.
  const withheld = await withheldQuestionIds(db, round.id, a.questionIds, SUBMIT_GRACE_MS, now);
  const chosen = new Map(
    a.choices ? decodeChoices(a.questionIds, a.choices, (id) => byId.get(id)?.options.map((o) => o.id) ?? []).map((c) => [c.questionId, c.optionId]) : [],
  );
  return {
    attemptId,
    roundId: a.roundId,
    contestId: round.contestId,
    roundNumber: round.number,
    roundTitle: round.title,
    attemptNo: a.attemptNo,
    submitted: a.choices !== null,
    score: a.score ?? undefined,
    total: a.total ?? a.questionIds.length,
    prediction: a.prediction ?? undefined,
    questions: a.questionIds.flatMap((id) => {
      const q = byId.get(id);
      if (!q) return [];
      return [
        {
          questionId: q.id,
          text: q.text,
          options: shuffleOptions(q.options, a.seed, q.id).map((o) => ({ id: o.id, text: o.text })),
          chosenOptionId: chosen.get(q.id) ?? null,
          correctOptionId: withheld.has(q.id) ? null : q.options.find((o) => o.correct)!.id,
          explanation: withheld.has(q.id) ? undefined : (q.explanation ?? undefined),
          voided: q.voidedAt ? (true as const) : undefined,
          withheld: withheld.has(q.id) ? (true as const) : undefined,
        },
      ];
    }),
  };
}

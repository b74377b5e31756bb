import type { Db } from '../../../../db/client';
import type { Round } from '../../../../db/schema/index';
import { conflict, notFound } from '../../lib/errors';
import { effectiveMinMsPerQuestion } from '../../lib/fairplay';
import { maskPhone } from '../../lib/identity';
import type { PredictionTarget, PrizeTier } from '../../lib/ranking';
import { recordAudit } from '../audit/index';
import { assertSealed, requireContest, requireRound, roundNotClosed, sealedAt } from '../contests/index';
import * as repo from './judging.repo';
import type { RankingRow } from './judging.schemas';

/** The order chain as the exports state it. */
export const ORDER_CHAIN = ['score desc', 'predictionError asc', 'durationMs asc', 'submittedAt asc', 'attemptId asc'] as const;

export interface AppliedRules {
  predictionTarget: PredictionTarget;
  prizes: PrizeTier[];
  onePrizePerPerson: boolean;
  order: readonly string[];
  /** The too_fast threshold the flags were made with. */
  minMsPerQuestion: number;
}


/**
 * Ranks a closed round and stores the rows and their checksum, in one transaction under
 * the round's row lock. Finalizing again replaces the results (and withdraws publication).
 */
export async function finalizeRound(db: Db, actorId: string | null, roundId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    await requireRound(tx, roundId);
    await repo.lockRound(tx, roundId);
    const round = await requireRound(tx, roundId);
    // Under the round's row lock: no override or reopening can slip in between.
    const sealed = await sealedAt(tx, round, now);
    if (now < sealed) throw roundNotClosed(sealed, now, 'Finalizing');
    const contest = await requireContest(tx, round.contestId);
    const previous = await repo.findResults(tx, round.id);
    const winnersBefore = contest.onePrizePerPerson ? await repo.winnersFingerprint(tx, round.id) : '';

    const scope = { roundId: round.id, contestId: contest.id, roundNumber: round.number, onePrizePerPerson: contest.onePrizePerPerson };
    // Taken before the rows: a change landing in between can only make the results look
    // stale (and be finalized again), never look current when they are not.
    const inputs = await repo.inputsFingerprint(tx, scope);
    await repo.tuneForRanking(tx);
    const counts = await repo.countParticipants(tx, round.id, contest.id);
    const actualCount = repo.actualCountFor(round.predictionTarget, counts);
    await repo.stageRankedRows(tx, {
      roundId: round.id,
      contestId: contest.id,
      roundNumber: round.number,
      onePrizePerPerson: contest.onePrizePerPerson,
      actualCount,
      prizes: round.prizes,
    });
    const minMsPerQuestion = effectiveMinMsPerQuestion(round.minMsPerQuestion);
    // Signals for the judges only: they change no rank or prize, nor the checksum.
    await repo.stageFlags(tx, round.id, minMsPerQuestion);
    const { checksum, ranked } = await repo.stagedChecksum(tx);
    // Writes only the rows that differ: finalizing again over the same data writes none.
    await repo.mergeStagedRows(tx, round.id);
    const rules: AppliedRules = {
      predictionTarget: round.predictionTarget,
      prizes: round.prizes,
      onePrizePerPerson: contest.onePrizePerPerson,
      order: ORDER_CHAIN,
      minMsPerQuestion,
    };
    const result = await repo.upsertResults(tx, {
      roundId: round.id,
      actualCount,
      participants: counts.participants,
      ranked,
      checksum,
      finalizedAt: now,
      finalizedBy: actorId,
      stale: false,
      rules,
      inputs,
    });
    await repo.markFinalized(tx, round.id, now);

    let staleRounds: string[] = [];
    if (contest.onePrizePerPerson && previous && (await repo.winnersFingerprint(tx, round.id)) !== winnersBefore)
      staleRounds = await repo.markLaterRoundsStale(tx, contest.id, round.number);

    await recordAudit(tx, {
      actorId,
      action: 'round.finalize',
      entity: 'round',
      entityId: round.id,
      before: previous ? { checksum: previous.checksum, actualCount: previous.actualCount, finalizedAt: previous.finalizedAt, publishedAt: round.publishedAt } : null,
      after: { checksum, actualCount, participants: counts.participants, ranked, rules, staleRounds },
    });
    return { actualCount, participants: counts.participants, ranked, checksum, finalizedAt: result.finalizedAt.toISOString() };
  });
}

/**
 * Who would gain or lose a prize if the round were finalized now, against its stored
 * results (null when it has none). Stages the ranking in the caller's transaction and
 * stores nothing: a correction's dry run calls it on regraded scores, then rolls back.
 */
export async function previewPrizeChanges(tx: Db, roundId: string): Promise<repo.PrizeChange[] | null> {
  const round = await requireRound(tx, roundId);
  if (!(await repo.findResults(tx, round.id))) return null;
  const contest = await requireContest(tx, round.contestId);
  await repo.tuneForRanking(tx);
  const counts = await repo.countParticipants(tx, round.id, contest.id);
  await repo.stageRankedRows(tx, {
    roundId: round.id,
    contestId: contest.id,
    roundNumber: round.number,
    onePrizePerPerson: contest.onePrizePerPerson,
    actualCount: repo.actualCountFor(round.predictionTarget, counts),
    prizes: round.prizes,
  });
  const changes = await repo.stagedPrizeChanges(tx, round.id);
  await repo.dropStaged(tx);
  return changes;
}

async function requireResults(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const results = await repo.findResults(db, round.id);
  if (!results) throw conflict('ROUND_NOT_FINALIZED', 'The round has not been finalized yet');
  return { round, results };
}

/** Flagged stale, or something the results read has changed since they were made. */
async function isStale(db: Db, round: Round, results: { stale: boolean; inputs: string | null }): Promise<boolean> {
  if (results.stale) return true;
  const contest = await requireContest(db, round.contestId);
  const scope = { roundId: round.id, contestId: contest.id, roundNumber: round.number, onePrizePerPerson: contest.onePrizePerPerson };
  return results.inputs !== (await repo.inputsFingerprint(db, scope));
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

export async function getRanking(db: Db, roundId: string, offset: number, limit: number) {
  const { round, results } = await requireResults(db, roundId);
  const rows = await repo.listResultRows(db, roundId, offset, limit);
  const stale = await isStale(db, round, results);
  return {
    actualCount: results.actualCount,
    participants: results.participants,
    ranked: results.ranked,
    checksum: results.checksum,
    finalizedAt: results.finalizedAt.toISOString(),
    stale,
    offset,
    rows: rows.map(toRankingRow),
  };
}

export async function disqualify(db: Db, actorId: string, roundId: string, userId: string, reason: string) {
  return db.transaction(async (tx) => {
    const round = await requireRound(tx, roundId);
    await repo.lockRound(tx, round.id);
    if (!(await repo.userHasAttempt(tx, round.id, userId))) throw notFound('Participant');
    const row = await repo.insertDisqualification(tx, { roundId: round.id, userId, reason, createdBy: actorId });
    if (!row) throw conflict('ALREADY_DISQUALIFIED', 'This participant is already disqualified in this round');
    const resultsStale = await repo.markStale(tx, round.id);
    await recordAudit(tx, { actorId, action: 'round.disqualify', entity: 'round', entityId: round.id, after: { ...row, resultsStale } });
    return { roundId: row.roundId, userId: row.userId, reason: row.reason, createdBy: row.createdBy, createdAt: row.createdAt.toISOString(), resultsStale };
  });
}

export async function reinstate(db: Db, actorId: string, roundId: string, userId: string) {
  await db.transaction(async (tx) => {
    const round = await requireRound(tx, roundId);
    await repo.lockRound(tx, round.id);
    const row = await repo.deleteDisqualification(tx, round.id, userId);
    if (!row) throw notFound('Disqualification');
    const resultsStale = await repo.markStale(tx, round.id);
    await recordAudit(tx, { actorId, action: 'round.reinstate', entity: 'round', entityId: round.id, before: row, after: { resultsStale } });
  });
}

export async function listDisqualifications(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const rows = await repo.listDisqualifications(db, round.id);
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
    winners: rows.map((r) => ({
      rank: r.rank!,
      prize: r.prize!,
      fullName: r.fullName ?? '',
      // Vietnam's personal data rules (Decree 13/2023): no full phone or national id in public.
      maskedPhone: maskPhone(r.phone ?? ''),
      locality: r.locality ?? undefined,
      unit: r.unit ?? undefined,
      score: r.score,
      total: r.total,
      prediction: r.prediction,
      durationMs: r.durationMs,
    })),
  };
}

export async function publicAnswerKey(db: Db, roundId: string, now = new Date()) {
  const round = await requireRound(db, roundId);
  // A finalized round was sealed when it was finalized, and a sealed round stays sealed.
  if (!round.finalizedAt) await assertSealed(db, round, now, 'The answer key');
  const rows = await repo.answerKey(db, round.id);
  return rows.map((q) => ({
    questionId: q.id,
    text: q.text,
    options: q.options.map((o) => ({ id: o.id, text: o.text })),
    correctOptionId: q.options.find((o) => o.correct)!.id,
    explanation: q.explanation ?? undefined,
    voided: q.voidedAt ? (true as const) : undefined,
  }));
}

interface CollectiveEntry {
  rank: number;
  id: string;
  name: string;
  participants: number;
  headcount: number | null;
  participationRate: number | null;
}

/** Competition ranking (1, 1, 3): equal values share a rank; names break the listing order. */
function rankBy(rows: repo.CollectiveRow[], value: (r: repo.CollectiveRow) => number): CollectiveEntry[] {
  const withValue = rows.map((r) => ({ r, v: value(r) }));
  withValue.sort((a, b) => b.v - a.v || a.r.name.localeCompare(b.r.name, 'vi') || (a.r.id < b.r.id ? -1 : 1));
  let rank = 0;
  return withValue.map(({ r, v }, i) => {
    if (i === 0 || v !== withValue[i - 1].v) rank = i + 1;
    return { rank, id: r.id, name: r.name, participants: r.participants, headcount: r.headcount, participationRate: rateOf(r) };
  });
}

function rateOf(r: repo.CollectiveRow): number | null {
  if (r.headcount === null || r.headcount <= 0) return null;
  return Math.round((r.participants / r.headcount) * 10_000) / 10_000;
}

export async function collectiveRanking(db: Db, contestId: string, roundId: string | undefined) {
  const contest = await requireContest(db, contestId);
  if (roundId) {
    const round = await requireRound(db, roundId);
    if (round.contestId !== contest.id) throw notFound('Round');
  }
  const build = async (by: 'locality' | 'unit') => {
    const rows = await repo.collectiveCounts(db, contest.id, by, roundId ?? null);
    return {
      byParticipants: rankBy(rows, (r) => r.participants),
      byParticipationRate: rankBy(
        rows.filter((r) => rateOf(r) !== null),
        (r) => r.participants / r.headcount!,
      ),
    };
  };
  return { contestId: contest.id, roundId: roundId ?? null, localities: await build('locality'), units: await build('unit') };
}

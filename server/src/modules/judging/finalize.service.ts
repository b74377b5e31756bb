// Finalize: rank a closed round and store its rows, or (previewPrizeChanges) stage them for
// a correction's dry run. The SQL is in finalize.sql.ts and fairplay.sql.ts.
import type { Db } from '../../../../db/client';
import type { Round } from '../../../../db/schema/index';
import { effectiveMinMsPerQuestion } from '../../lib/fairplay';
import type { PredictionTarget, PrizeTier } from '../../lib/ranking';
import { recordAudit } from '../audit/index';
import { requireContest, requireRound, roundNotClosed, sealedAt } from '../contests/index';
import { stageFlags } from './fairplay.sql';
import {
  actualCountIn,
  digestInputs,
  dropStaged,
  inputParts,
  stagedPrizeChanges,
  stageRankedRows,
  storeStagedRows,
  tuneForRanking,
  type InputsScope,
  type PrizeChange,
} from './finalize.sql';
import * as repo from './judging.repo';

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
 * Takes the round's actual count (lib/ranking.ts TARGET_COUNTS) and stages the ranking in
 * the round's staging rows (finalize.sql.ts stagingOf): one row per participant. Given the
 * scope of the inputs' digest, takes that digest too, before the rows (finalize.sql.ts
 * inputsFingerprint): a change landing in between can only make the results look stale
 * (and be finalized again), never look current when they are not.
 */
async function stageRanking(tx: Db, round: Round, contest: { id: string; onePrizePerPerson: boolean }, digestScope?: InputsScope) {
  await tuneForRanking(tx);
  const parts = digestScope ? await inputParts(tx, digestScope) : null;
  const { actualCount, submissions } = await actualCountIn(tx, round.id, contest.id, round.predictionTarget);
  const inputs = parts ? await digestInputs(tx, parts, submissions) : null;
  await stageRankedRows(tx, {
    roundId: round.id,
    contestId: contest.id,
    roundNumber: round.number,
    onePrizePerPerson: contest.onePrizePerPerson,
    actualCount,
    prizes: round.prizes,
  });
  return { actualCount, inputs };
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
    const { actualCount, inputs } = await stageRanking(tx, round, contest, scope);
    const minMsPerQuestion = effectiveMinMsPerQuestion(round.minMsPerQuestion);
    // Signals for the judges only: they change no rank or prize, nor the checksum.
    await stageFlags(tx, round.id, minMsPerQuestion);
    // Writes only the rows that differ: finalizing again over the same data writes none.
    const { checksum, ranked, rows: participants } = await storeStagedRows(tx, round.id, previous?.checksum ?? null);
    await dropStaged(tx, round.id);
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
      participants,
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
      before: previous
        ? { checksum: previous.checksum, actualCount: previous.actualCount, finalizedAt: previous.finalizedAt, publishedAt: round.publishedAt }
        : null,
      after: { checksum, actualCount, participants, ranked, rules, staleRounds },
    });
    return { actualCount, participants, ranked, checksum, finalizedAt: result.finalizedAt.toISOString() };
  });
}

/**
 * Who would gain or lose a prize if the round were finalized now, against its stored
 * results (null when it has none). Stages the ranking in the caller's transaction and
 * stores nothing: a correction's dry run calls it on regraded scores, then rolls back.
 */
export async function previewPrizeChanges(tx: Db, roundId: string): Promise<PrizeChange[] | null> {
  const round = await requireRound(tx, roundId);
  if (!(await repo.findResults(tx, round.id))) return null;
  const contest = await requireContest(tx, round.contestId);
  await stageRanking(tx, round, contest);
  const changes = await stagedPrizeChanges(tx, round.id);
  await dropStaged(tx, round.id);
  return changes;
}

import type { Db } from '../../../../db/client';
import { badRequest, notFound } from '../../lib/errors';
import { ITEM_FLAGS, ITEM_FLAG_MESSAGES, statsFor, type ItemCounts } from '../../lib/item-analysis';
import { recordAudit } from '../audit/index';
import { assertSealed as assertRoundSealed, requireRound } from '../contests/index';
import { previewPrizeChanges, withdrawPublication, type PrizeChange } from '../judging/index';
import * as regradeSql from './items.regrade.sql';
import * as repo from './items.repo';
import type { CorrectionBody } from './items.schemas';

/** 409 ROUND_NOT_CLOSED (with Retry-After) until the round is sealed: the contests module's one definition. */
export async function assertSealed(db: Db, roundId: string, now = new Date()): Promise<void> {
  await assertRoundSealed(db, await requireRound(db, roundId), now, 'Item analysis');
}

const FLAG_ORDER = new Map(ITEM_FLAGS.map((f, i) => [f, i]));
// Miskeyed first, then the rest by how much they need a look.
const SORT_RANK: Record<string, number> = { likely_miskeyed: 0, ambiguous: 1, too_hard: 2, too_easy: 3 };

export type ItemAnalysis = Awaited<ReturnType<typeof analyze>>;

/**
 * Analyses of sealed rounds by the digest of what they read: counting a large round takes
 * a while and its inputs rarely change once sealed (a correction or a review changes the
 * digest). Concurrent requests share one computation.
 */
export class AnalysisCache {
  private entries = new Map<string, { digest: string; value: Promise<ItemAnalysis> }>();
  constructor(private max = 50) {}

  async get(db: Db, roundId: string, now = new Date()): Promise<ItemAnalysis> {
    const round = await requireRound(db, roundId);
    await assertSealed(db, round.id, now);
    const digest = await repo.analysisDigest(db, round.id);
    const hit = this.entries.get(round.id);
    if (hit && hit.digest === digest) return hit.value;
    const value = analyze(db, round.id);
    if (this.entries.size >= this.max && !hit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(round.id, { digest, value });
    value.catch(() => {
      if (this.entries.get(round.id)?.value === value) this.entries.delete(round.id);
    });
    return value;
  }
}

export async function itemAnalysis(db: Db, roundId: string, now = new Date()) {
  const round = await requireRound(db, roundId);
  await assertSealed(db, round.id, now);
  return analyze(db, round.id);
}

async function analyze(db: Db, roundId: string) {
  const round = { id: roundId };
  const [pool, counts] = await Promise.all([repo.poolWithReviews(db, round.id), repo.itemCounts(db, round.id)]);
  const byQuestion = new Map<string, repo.CountRow[]>();
  for (const c of counts) byQuestion.set(c.questionId, [...(byQuestion.get(c.questionId) ?? []), c]);
  const rows = pool.map((q) => {
    const cs = byQuestion.get(q.id) ?? [];
    const drawn = cs[0]?.drawn ?? 0;
    const options = q.options.map((o) => {
      const c = cs.find((x) => x.optionId === o.id);
      return { optionId: o.id, text: o.text, correct: o.correct, chosen: c?.chosen ?? 0, chosenTop: c?.chosenTop ?? 0, chosenBottom: c?.chosenBottom ?? 0 };
    });
    const itemCounts: ItemCounts = { drawn, answered: options.reduce((n, o) => n + o.chosen, 0), options };
    const stats = statsFor(itemCounts);
    const flags = [...stats.flags].sort((a, b) => FLAG_ORDER.get(a)! - FLAG_ORDER.get(b)!);
    return {
      questionId: q.id,
      text: q.text,
      position: q.position,
      drawn,
      answered: itemCounts.answered,
      facility: stats.facility,
      discrimination: stats.discrimination,
      options,
      flags,
      flagMessages: flags.map((flag) => ({ flag, message: ITEM_FLAG_MESSAGES[flag].vi, messageEn: ITEM_FLAG_MESSAGES[flag].en })),
      voided: q.voided,
      reviewed: q.reviewed,
    };
  });
  const weight = (r: (typeof rows)[number]) => Math.min(4, ...r.flags.map((f) => SORT_RANK[f]));
  return rows.sort((a, b) => weight(a) - weight(b) || a.position - b.position);
}

/** Carries a dry run's answer out of the transaction it rolls back. */
class DryRunDone extends Error {
  constructor(readonly result: CorrectionResult) {
    super('dry run');
  }
}

export interface CorrectionResult {
  regraded: number;
  rounds: string[];
  scoresChanged: number;
  staleRounds: string[];
  withdrawnRounds: string[];
  dryRun: boolean;
  changes?: {
    roundId: string;
    scoresChanged: number;
    prizeRowsChanged: number;
    finalized: boolean;
    prizeRows: PrizeChange[];
  }[];
}

const PRIZE_ROWS_SHOWN = 100;

/**
 * A new key, or a void, for a question that attempts may have used: every submission that
 * drew it is regraded in SQL, the question changes everywhere it is used, the results of
 * the affected rounds become stale and a publication is withdrawn, and the audit log keeps
 * the key before and after. All in one transaction. A dry run does all of it, previews
 * the prize lists a finalize would make, and rolls back: it answers from the same code.
 */
export async function correctQuestion(
  db: Db,
  actorId: string | null,
  questionId: string,
  body: CorrectionBody,
  dryRun: boolean,
  now = new Date(),
): Promise<CorrectionResult> {
  const run = async (tx: Db): Promise<CorrectionResult> => {
    const q = await repo.lockQuestion(tx, questionId);
    if (!q) throw notFound('Question');
    const oldKey = q.options.find((o) => o.correct)!.id;
    const oldVoided = q.voidedAt !== null;
    let newKey = oldKey;
    let newVoided: boolean;
    if ('voided' in body) {
      if (oldVoided) throw badRequest('INVALID_CORRECTION', 'This question is already voided', [{ field: 'body.voided', message: 'already voided' }]);
      newVoided = true;
    } else {
      if (!q.options.some((o) => o.id === body.correctOptionId))
        throw badRequest('INVALID_CORRECTION', 'The option does not belong to this question', [
          { field: 'body.correctOptionId', message: 'not an option of this question' },
        ]);
      if (!oldVoided && body.correctOptionId === oldKey)
        throw badRequest('INVALID_CORRECTION', 'This option is already the key', [{ field: 'body.correctOptionId', message: 'already the key' }]);
      newKey = body.correctOptionId;
      newVoided = false;
    }

    const roundIds = await repo.lockRoundsUsing(tx, q.id);
    await repo.tuneForRegrade(tx);
    const index = (optionId: string) => q.options.findIndex((o) => o.id === optionId);
    const counts = await regradeSql.regrade(tx, { questionId: q.id, roundIds, oldKey: index(oldKey), oldVoided, newKey: index(newKey), newVoided });
    const options = q.options.map((o) => ({ ...o, correct: o.id === newKey }));
    const voidedAt = newVoided ? (q.voidedAt ?? now) : null;
    await repo.setKey(tx, q.id, options, voidedAt, now);
    await repo.insertReview(tx, {
      questionId: q.id,
      kind: newVoided ? 'void' : 'correction',
      fromOptionId: oldVoided ? null : oldKey,
      toOptionId: newVoided ? null : newKey,
      reason: body.reason,
      createdBy: actorId,
      createdAt: now,
    });
    const staleRounds = await repo.markResultsStale(tx, roundIds);
    const withdrawnRounds = await withdrawPublication(tx, roundIds, now);
    const regraded = counts.reduce((n, c) => n + c.drew, 0);
    const scoresChanged = counts.reduce((n, c) => n + c.changed, 0);
    await recordAudit(tx, {
      actorId,
      action: newVoided ? 'question.void' : 'question.correct',
      entity: 'question',
      entityId: q.id,
      before: { contestId: q.contestId, options: q.options, voidedAt: q.voidedAt },
      after: { contestId: q.contestId, options, voidedAt, reason: body.reason, regraded, scoresChanged, rounds: roundIds, staleRounds, withdrawnRounds },
    });
    const result: CorrectionResult = { regraded, rounds: roundIds, scoresChanged, staleRounds, withdrawnRounds, dryRun };
    if (dryRun) {
      result.changes = [];
      for (const c of counts) {
        const prizeRows = await previewPrizeChanges(tx, c.roundId);
        result.changes.push({
          roundId: c.roundId,
          scoresChanged: c.changed,
          prizeRowsChanged: prizeRows?.length ?? 0,
          finalized: prizeRows !== null,
          prizeRows: (prizeRows ?? []).slice(0, PRIZE_ROWS_SHOWN),
        });
      }
    }
    return result;
  };

  if (!dryRun) return db.transaction(run);
  try {
    await db.transaction(async (tx) => {
      throw new DryRunDone(await run(tx));
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.result;
    throw err;
  }
  throw new Error('unreachable: a dry run always rolls back');
}

/**
 * How far back a correction looks for submissions graded with a process's old copy of the
 * key: a submit is stamped when graded and committed within a few batches, so a minute
 * covers any write the correction's snapshot could have missed.
 */
export const SETTLE_LOOKBACK_MS = 60_000;
/** When to settle after a correction: after every process's round cache (5 s TTL) has the new key. */
export const SETTLE_AFTER_MS = 10_000;

/**
 * The follow-up of a correction, run once every API process grades with the new key:
 * submissions stored meanwhile with the old key are graded again; their rounds' results
 * become stale (and a publication is withdrawn) if a score changed.
 */
export async function settleLateSubmissions(db: Db, questionId: string, correctedAt: Date, now = new Date()): Promise<string[]> {
  return db.transaction(async (tx) => {
    const q = await repo.lockQuestion(tx, questionId);
    if (!q) return [];
    const roundIds = await repo.lockRoundsUsing(tx, q.id);
    const changed = await regradeSql.settleScores(tx, q.id, roundIds, new Date(correctedAt.getTime() - SETTLE_LOOKBACK_MS));
    if (changed.length === 0) return [];
    const staleRounds = await repo.markResultsStale(tx, changed);
    const withdrawnRounds = await withdrawPublication(tx, changed, now);
    await recordAudit(tx, {
      actorId: null,
      action: 'question.settle',
      entity: 'question',
      entityId: q.id,
      after: { contestId: q.contestId, rounds: changed, staleRounds, withdrawnRounds },
    });
    return changed;
  });
}

/** "The key is right": a review of a flagged question that changes nothing else. */
export async function confirmKey(db: Db, actorId: string, questionId: string, reason: string | undefined, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const q = await repo.lockQuestion(tx, questionId);
    if (!q) throw notFound('Question');
    const key = q.options.find((o) => o.correct)!.id;
    await repo.insertReview(tx, {
      questionId: q.id,
      kind: 'confirmation',
      fromOptionId: key,
      toOptionId: key,
      reason: reason ?? '',
      createdBy: actorId,
      createdAt: now,
    });
    await recordAudit(tx, {
      actorId,
      action: 'question.confirm_key',
      entity: 'question',
      entityId: q.id,
      after: { contestId: q.contestId, correctOptionId: key, voided: q.voidedAt !== null, reason: reason ?? '' },
    });
  });
}

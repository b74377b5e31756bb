import type { Db } from '../../../../db/client';
import type { Question } from '../../../../db/schema/index';
import { badRequest, conflict, notFound } from '../../lib/errors';
import { lintBankIsolated, lintQuestionIsolated } from '../../lib/question-lint.isolated';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';
import type { LintQuestion } from '../../lib/question-lint';
import { questionProblems, withOptionIds, type QuestionInput } from '../../lib/questions';
import { listChange, recordAudit } from '../audit/index';
import { lockRound, requireContest, requireRound, roundHasAttempts } from '../contests/index';
import * as repo from './questions.repo';
import type { AdminQuestion } from './questions.schemas';

/** The whole bank's lint warnings, in bank order (linted on the lint worker). */
export async function lintContestBank(db: Db, contestId: string) {
  const contest = await requireContest(db, contestId);
  return lintBankIsolated(await repo.bankForLint(db, contest.id));
}

/** Told when a saved question could not be linted (the lint worker failed). */
export type LintFailed = (err: unknown) => void;

/**
 * A saved question as staff get it back, with its lint warnings against the rest of its
 * contest's bank: the bank is read in the caller's transaction, the lint runs on the lint
 * worker once that transaction has committed (its locks are not held while it runs). The
 * question is saved by then: a lint that fails (the worker out of memory) answers no
 * warnings and is told to `lintFailed`, rather than a 500 that a client would retry into a
 * second copy. Warnings never block anything.
 */
async function withWarnings(saved: Promise<{ q: Question; bank: LintQuestion[] }>, lintFailed: LintFailed) {
  const { q, bank } = await saved;
  const warnings = await lintQuestionIsolated(bank, { id: q.id, text: q.text, options: q.options }).catch((err: unknown) => {
    lintFailed(err);
    return [];
  });
  return { ...toAdminQuestion(q), warnings };
}

export function toAdminQuestion(q: Question, published?: ReadonlyMap<string, string>, locked?: ReadonlySet<string>): AdminQuestion {
  return {
    ...(published ? { published: published.has(q.id) } : {}),
    ...(locked ? { locked: locked.has(q.id) } : {}),
    id: q.id,
    contestId: q.contestId,
    text: q.text,
    options: q.options,
    // Absent when unset, as questionInput's `topic?` and `explanation?` (API.md), not null.
    ...(q.topic ? { topic: q.topic } : {}),
    ...(q.explanation ? { explanation: q.explanation } : {}),
    updatedAt: q.updatedAt.toISOString(),
  };
}

function assertValid(input: QuestionInput) {
  const problems = questionProblems(input);
  if (problems.length)
    throw badRequest(
      'INVALID_QUESTION',
      problems.map((p) => p.message).join('; '),
      problems.map((p) => ({ field: `body.${p.field}`, message: p.message })),
    );
}

export async function listQuestions(db: Db, contestId: string, filter: { topic?: string; q?: string }) {
  const contest = await requireContest(db, contestId);
  const [rows, published, locked] = await Promise.all([
    repo.listQuestions(db, contest.id, filter),
    repo.publishedQuestions(db, contest.id, SUBMIT_GRACE_MS, new Date()),
    repo.lockedQuestions(db, contest.id),
  ]);
  return rows.map((q) => toAdminQuestion(q, published, locked));
}

export async function createQuestion(db: Db, actorId: string, contestId: string, input: QuestionInput, lintFailed: LintFailed = () => {}) {
  assertValid(input);
  return withWarnings(
    db.transaction(async (tx) => {
      const contest = await requireContest(tx, contestId);
      const q = await repo.insertQuestion(tx, {
        contestId: contest.id,
        text: input.text,
        options: withOptionIds(input.options),
        topic: input.topic || null,
        explanation: input.explanation || null,
      });
      await recordAudit(tx, { actorId, action: 'question.create', entity: 'question', entityId: q.id, after: q });
      return { q, bank: await repo.bankForLint(tx, q.contestId) };
    }),
    lintFailed,
  );
}

export async function updateQuestion(db: Db, actorId: string, questionId: string, patch: Partial<QuestionInput>, lintFailed: LintFailed = () => {}) {
  return withWarnings(
    db.transaction(async (tx) => {
      const before = await repo.lockQuestion(tx, questionId);
      if (!before) throw notFound('Question');
      await repo.lockRoundsHolding(tx, before.id);
      if (await repo.questionIsLocked(tx, before.id)) throw conflict('ROUND_LOCKED', 'The question is in the pool of a round that has attempts');
      const merged: QuestionInput = {
        text: patch.text ?? before.text,
        options: patch.options ?? before.options,
        topic: patch.topic === undefined ? before.topic : patch.topic,
        explanation: patch.explanation === undefined ? before.explanation : patch.explanation,
      };
      assertValid(merged);
      // Only the fields sent: what the body leaves out stays as the row holds it.
      const after = await repo.updateQuestion(tx, before.id, {
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        ...(patch.options ? { options: withOptionIds(patch.options) } : {}),
        ...(patch.topic !== undefined ? { topic: patch.topic || null } : {}),
        ...(patch.explanation !== undefined ? { explanation: patch.explanation || null } : {}),
      });
      await recordAudit(tx, { actorId, action: 'question.update', entity: 'question', entityId: after.id, before, after });
      return { q: after, bank: await repo.bankForLint(tx, after.contestId) };
    }),
    lintFailed,
  );
}

export async function deleteQuestion(db: Db, actorId: string, questionId: string) {
  await db.transaction(async (tx) => {
    const before = await repo.lockQuestion(tx, questionId);
    if (!before) throw notFound('Question');
    await repo.lockRoundsHolding(tx, before.id);
    if (await repo.questionIsLocked(tx, before.id)) throw conflict('ROUND_LOCKED', 'The question is in the pool of a round that has attempts');
    await repo.deleteQuestion(tx, before.id);
    await recordAudit(tx, { actorId, action: 'question.delete', entity: 'question', entityId: before.id, before });
  });
}

export async function getPool(db: Db, roundId: string) {
  const round = await requireRound(db, roundId);
  const [rows, published, locked] = await Promise.all([
    repo.poolQuestions(db, round.id),
    repo.publishedQuestions(db, round.contestId, SUBMIT_GRACE_MS, new Date(), round.id),
    roundHasAttempts(db, round.id),
  ]);
  return {
    roundId: round.id,
    questionCount: round.questionCount,
    size: rows.length,
    locked,
    questions: rows.map((r) => toAdminQuestion(r.q, published)),
  };
}

export async function setPool(db: Db, actorId: string, roundId: string, questionIds: string[], allowPublished = false, now = new Date()) {
  const seen = new Set<string>();
  const dup = questionIds.find((id) => seen.size === seen.add(id).size);
  if (dup) throw badRequest('DUPLICATE_QUESTION', `Question ${dup} is listed twice`, [{ field: 'body.questionIds', message: `duplicate ${dup}` }]);
  await db.transaction(async (tx) => {
    const { contestId } = await requireRound(tx, roundId);
    const found = new Set((await repo.questionsOfContest(tx, contestId, questionIds)).map((r) => r.id));
    const unknown = questionIds.filter((id) => !found.has(id));
    if (unknown.length)
      throw badRequest(
        'UNKNOWN_QUESTION',
        `${unknown.length} question id(s) are not in this contest's bank`,
        unknown.slice(0, 50).map((id) => ({ field: 'body.questionIds', message: `unknown ${id}` })),
      );
    // Two pools of one round replace one after the other (each deletes then inserts), and a
    // start's attempt (its foreign key takes KEY SHARE on the round) either committed before
    // the check below or waits until this commits.
    await lockRound(tx, roundId);
    const round = await requireRound(tx, roundId);
    if (await roundHasAttempts(tx, round.id)) throw conflict('ROUND_LOCKED', 'The round has attempts: its pool can no longer change');
    if (!allowPublished) {
      // A question whose key is public would hand its answer to anyone who read that key.
      const published = await repo.publishedQuestions(tx, round.contestId, SUBMIT_GRACE_MS, now, round.id);
      const clash = questionIds.filter((id) => published.has(id));
      if (clash.length)
        throw conflict(
          'QUESTION_PUBLISHED',
          `${clash.length} question(s) already have a public answer key (a sealed round): send allowPublished: true to use them anyway`,
          clash.map((questionId) => ({ field: 'questionIds', questionId, roundId: published.get(questionId) })),
        );
    }
    if (round.opensAt <= new Date() && questionIds.length < round.questionCount)
      throw conflict('POOL_TOO_SMALL', `The round is open and draws ${round.questionCount} questions per attempt; the pool needs at least that many`);
    const before = (await repo.poolQuestions(tx, round.id)).map((r) => r.q.id);
    await repo.replacePool(tx, round.id, questionIds);
    // What changed, not the pools (up to 5,000 ids a side): the digest is of the ids in the pool's order.
    const change = listChange(before, questionIds, { key: (id) => id, line: (id) => id });
    await recordAudit(tx, {
      actorId,
      action: 'round.pool',
      entity: 'round',
      entityId: round.id,
      before: { contestId: round.contestId, ...change.before },
      after: { contestId: round.contestId, ...change.after },
    });
  });
  return getPool(db, roundId);
}

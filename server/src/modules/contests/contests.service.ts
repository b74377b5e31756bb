import type { Db } from '../../../../db/client';
import type { Contest, Round } from '../../../../db/schema/index';
import { badRequest, conflict, notFound } from '../../lib/errors';
import { roundStatus } from '../../lib/rounds';
import { recordAudit } from '../audit/index';
import * as repo from './contests.repo';
import type { RoundBody, RoundPatchBody, RoundResponse } from './contests.schemas';

export function toRoundResponse(r: Round, now = new Date()): RoundResponse {
  return {
    id: r.id,
    contestId: r.contestId,
    number: r.number,
    title: r.title,
    opensAt: r.opensAt.toISOString(),
    closesAt: r.closesAt.toISOString(),
    questionCount: r.questionCount,
    timeLimitSeconds: r.timeLimitSeconds,
    maxAttempts: r.maxAttempts,
    status: roundStatus(r, now),
    predictionPrompt: r.predictionPrompt,
    predictionTarget: r.predictionTarget,
    revealScore: r.revealScore,
    prizes: r.prizes,
    minMsPerQuestion: r.minMsPerQuestion,
  };
}

export function toContestSummary(c: Contest) {
  return { id: c.id, slug: c.slug, title: c.title, status: c.status };
}

export function toContest(c: Contest) {
  return { ...toContestSummary(c), description: c.description, rules: c.rules, onePrizePerPerson: c.onePrizePerPerson };
}

export async function listContests(db: Db) {
  return (await repo.listVisibleContests(db)).map(toContestSummary);
}

export async function getContest(db: Db, idOrSlug: string, opts: { includeDraft: boolean }) {
  const c = await repo.findContest(db, idOrSlug);
  if (!c || (c.status === 'draft' && !opts.includeDraft)) throw notFound('Contest');
  const [rounds, localities, units] = await Promise.all([repo.listRounds(db, c.id), repo.listLocalities(db, c.id), repo.listUnits(db, c.id)]);
  const now = new Date();
  // The public view leaves out the fair-play threshold (minMsPerQuestion): staff only.
  const shown = rounds.map((r) => {
    const { minMsPerQuestion, ...round } = toRoundResponse(r, now);
    return opts.includeDraft ? { ...round, minMsPerQuestion } : round;
  });
  return { ...toContest(c), rounds: shown, localities, units };
}

export async function requireContest(db: Db, id: string): Promise<Contest> {
  const c = await repo.findContest(db, id);
  if (!c) throw notFound('Contest');
  return c;
}

export async function requireRound(db: Db, id: string): Promise<Round> {
  const r = await repo.findRound(db, id);
  if (!r) throw notFound('Round');
  return r;
}

interface ContestInput {
  slug?: string;
  title?: string;
  description?: string;
  rules?: string;
  onePrizePerPerson?: boolean;
  status?: 'draft' | 'active' | 'archived';
}

export async function createContest(db: Db, actorId: string, body: ContestInput & { slug: string; title: string }) {
  return db.transaction(async (tx) => {
    const c = await repo.insertContest(tx, body);
    if (!c) throw conflict('SLUG_TAKEN', `A contest with slug "${body.slug}" already exists`);
    await recordAudit(tx, { actorId, action: 'contest.create', entity: 'contest', entityId: c.id, after: c });
    return toContest(c);
  });
}

export async function updateContest(db: Db, actorId: string, id: string, body: ContestInput) {
  return db.transaction(async (tx) => {
    const before = await requireContest(tx, id);
    if (body.slug && (await repo.slugTakenByOther(tx, body.slug, before.id)))
      throw conflict('SLUG_TAKEN', `A contest with slug "${body.slug}" already exists`);
    const after = (await repo.updateContest(tx, before.id, body))!;
    await recordAudit(tx, { actorId, action: 'contest.update', entity: 'contest', entityId: after.id, before, after });
    return toContest(after);
  });
}

async function assertPoolReady(db: Db, roundId: string | null, opensAt: Date, questionCount: number, now: Date) {
  if (opensAt > now) return;
  const size = roundId ? await repo.poolSize(db, roundId) : 0;
  if (size < questionCount)
    throw conflict(
      'POOL_TOO_SMALL',
      `The round opens with ${questionCount} questions per attempt but its pool holds ${size}: set the pool (PUT /admin/rounds/:roundId/questions) before it opens`,
    );
}

export async function createRound(db: Db, actorId: string, contestId: string, body: RoundBody) {
  return db.transaction(async (tx) => {
    const contest = await requireContest(tx, contestId);
    const questionCount = body.questionCount ?? 20;
    await assertPoolReady(tx, null, body.opensAt, questionCount, new Date());
    if (await repo.roundNumberTaken(tx, contest.id, body.number)) throw conflict('ROUND_NUMBER_TAKEN', `Round ${body.number} already exists in this contest`);
    const r = await repo.insertRound(tx, { ...body, contestId: contest.id, title: body.title ?? `Tuần ${body.number}`, questionCount });
    if (!r) throw conflict('ROUND_NUMBER_TAKEN', `Round ${body.number} already exists in this contest`);
    await recordAudit(tx, { actorId, action: 'round.create', entity: 'round', entityId: r.id, after: r });
    return toRoundResponse(r);
  });
}

export async function updateRound(db: Db, actorId: string, roundId: string, body: RoundPatchBody) {
  return db.transaction(async (tx) => {
    const before = await requireRound(tx, roundId);
    const now = new Date();
    if (before.finalizedAt) throw conflict('ROUND_FINALIZED', 'The round has been finalized and can no longer change');
    const merged = { ...before, ...body };
    if (merged.closesAt <= merged.opensAt) throw badRequest('VALIDATION_FAILED', 'closesAt must be after opensAt', [{ field: 'body.closesAt', message: 'must be after opensAt' }]);
    if (body.number !== undefined && (await repo.roundNumberTaken(tx, before.contestId, body.number, before.id)))
      throw conflict('ROUND_NUMBER_TAKEN', `Round ${body.number} already exists in this contest`);
    const hasAttempts = await repo.roundHasAttempts(tx, before.id);
    if (hasAttempts && body.questionCount !== undefined && body.questionCount !== before.questionCount)
      throw conflict('ROUND_LOCKED', 'The round has attempts: its question count can no longer change');
    if (body.maxAttempts !== undefined && body.maxAttempts < (await repo.maxAttemptNo(tx, before.id)))
      throw conflict('ATTEMPTS_EXCEED_CAP', 'Some residents already used more attempts than the new maximum');
    await assertPoolReady(tx, before.id, merged.opensAt, merged.questionCount, now);
    const after = (await repo.updateRound(tx, before.id, body))!;
    await recordAudit(tx, { actorId, action: 'round.update', entity: 'round', entityId: after.id, before, after });
    return toRoundResponse(after, now);
  });
}

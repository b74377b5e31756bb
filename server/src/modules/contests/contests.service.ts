import type { Db } from '../../../../db/client';
import type { Contest, Round } from '../../../../db/schema/index';
import { AppError, badRequest, conflict, notFound } from '../../lib/errors';
import { normalizePhone } from '../../lib/identity';
import { roundStatus, SUBMIT_GRACE_MS } from '../../lib/rounds';
import { listChange, recordAudit } from '../audit/index';
import * as repo from './contests.repo';
import type { MembersBody, RoundBody, RoundPatchBody, RoundResponse } from './contests.schemas';

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
  const staff = opts.includeDraft ? await repo.staffFactsOfContest(db, c.id, SUBMIT_GRACE_MS) : null;
  // The public view leaves out the fair-play threshold (minMsPerQuestion), the sealing time and the pool's size: staff only.
  const shown = rounds.map((r) => {
    const { minMsPerQuestion, ...round } = toRoundResponse(r, now);
    if (!opts.includeDraft) return round;
    const facts = staff?.get(r.id);
    return {
      ...round,
      minMsPerQuestion,
      ...(facts ? { sealedAt: facts.sealedAt.toISOString(), sealed: facts.sealedAt <= now, poolSize: facts.poolSize } : {}),
    };
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

export async function createContest(db: Db, actor: { sub: string; role: string }, body: ContestInput & { slug: string; title: string }) {
  const actorId = actor.sub;
  return db.transaction(async (tx) => {
    const c = await repo.insertContest(tx, body);
    if (!c) throw conflict('SLUG_TAKEN', `A contest with slug "${body.slug}" already exists`);
    // Whoever creates a contest becomes its organizer member (an admin needs no membership).
    if (actor.role === 'organizer') await repo.addMember(tx, c.id, actorId, 'organizer');
    await recordAudit(tx, { actorId, action: 'contest.create', entity: 'contest', entityId: c.id, after: c });
    return toContest(c);
  });
}

export async function updateContest(db: Db, actorId: string, id: string, body: ContestInput) {
  return db.transaction(async (tx) => {
    const before = await requireContest(tx, id);
    if (body.slug && (await repo.slugTakenByOther(tx, body.slug, before.id))) throw conflict('SLUG_TAKEN', `A contest with slug "${body.slug}" already exists`);
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

export async function updateRound(db: Db, actorId: string, roundId: string, body: RoundPatchBody, now = new Date()) {
  return db.transaction(async (tx) => {
    await requireRound(tx, roundId);
    await repo.lockRound(tx, roundId);
    const before = await requireRound(tx, roundId);
    // A finalized round is sealed (finalize needs it): reopening it is the contract's ROUND_SEALED.
    if (body.closesAt !== undefined && body.closesAt > before.closesAt && (before.finalizedAt || (await isSealed(tx, before, now))))
      throw conflict('ROUND_SEALED', 'The round is sealed (its answer key may be public): it cannot be reopened');
    if (before.finalizedAt) throw conflict('ROUND_FINALIZED', 'The round has been finalized and can no longer change');
    const merged = { ...before, ...body };
    if (merged.closesAt <= merged.opensAt)
      throw badRequest('VALIDATION_FAILED', 'closesAt must be after opensAt', [{ field: 'body.closesAt', message: 'must be after opensAt' }]);
    if (body.number !== undefined && (await repo.roundNumberTaken(tx, before.contestId, body.number, before.id)))
      throw conflict('ROUND_NUMBER_TAKEN', `Round ${body.number} already exists in this contest`);
    const hasAttempts = await repo.roundHasAttempts(tx, before.id);
    if (hasAttempts && body.questionCount !== undefined && body.questionCount !== before.questionCount)
      throw conflict('ROUND_LOCKED', 'The round has attempts: its question count can no longer change');
    if (body.maxAttempts !== undefined && body.maxAttempts < (await repo.maxAttemptNo(tx, before.id)))
      throw conflict('ATTEMPTS_EXCEED_CAP', 'Some residents already used more attempts than the new maximum');
    await assertPoolReady(tx, before.id, merged.opensAt, merged.questionCount, now);
    const after = (await repo.updateRound(tx, before.id, body))!;
    // Closing earlier ends the attempts running now there too: nobody keeps writing past the new close.
    const clamped = body.closesAt !== undefined && body.closesAt < before.closesAt ? await repo.clampRunningDeadlines(tx, after.id, after.closesAt) : 0;
    await recordAudit(tx, { actorId, action: 'round.update', entity: 'round', entityId: after.id, before, after: { ...after, clampedAttempts: clamped } });
    return toRoundResponse(after, now);
  });
}

/** 409 ROUND_NOT_CLOSED with the seconds until the round is sealed as Retry-After. */
export function roundNotClosed(sealedAt: Date, now: Date, what = 'This'): AppError {
  const seconds = Math.max(1, Math.ceil((sealedAt.getTime() - now.getTime()) / 1000));
  return new AppError(409, 'ROUND_NOT_CLOSED', `${what} is available once the round is sealed, at ${sealedAt.toISOString()}`, undefined, seconds);
}

/**
 * When the round is sealed: closesAt, the deadline of every attempt still running
 * (overrides included), plus the submit grace. Before closesAt nothing is read: the
 * answer is then a lower bound (closesAt + grace), and the caller asks again.
 */
export async function sealedAt(db: Db, round: Round, now = new Date()): Promise<Date> {
  const earliest = new Date(round.closesAt.getTime() + SUBMIT_GRACE_MS);
  if (now < round.closesAt) return earliest;
  return (await repo.roundSealedAt(db, round.id, SUBMIT_GRACE_MS)) ?? earliest;
}

export async function isSealed(db: Db, round: Round, now = new Date()): Promise<boolean> {
  return (await sealedAt(db, round, now)) <= now;
}

/**
 * Throws 409 ROUND_NOT_CLOSED until the round is sealed. Waits for the round's row lock
 * first (shared), so an override or a close being granted right now is either seen or
 * sees this (it then finds the round sealed and is refused).
 */
export async function assertSealed(db: Db, round: Round, now = new Date(), what?: string): Promise<void> {
  if (now < round.closesAt) throw roundNotClosed(new Date(round.closesAt.getTime() + SUBMIT_GRACE_MS), now, what);
  const at = await db.transaction(async (tx) => {
    await repo.lockRound(tx, round.id, 'share');
    return repo.roundSealedAt(tx, round.id, SUBMIT_GRACE_MS);
  });
  if (at && now < at) throw roundNotClosed(at, now, what);
}

export async function listMyContests(db: Db, user: { sub: string; role: string }) {
  if (user.role === 'admin') return (await repo.listAllContests(db)).map((c) => ({ ...toContestSummary(c), role: 'admin' as const }));
  return (await repo.listContestsOfMember(db, user.sub)).map((r) => ({ ...toContestSummary(r.contest), role: r.role }));
}

export async function listMembers(db: Db, contestId: string) {
  const contest = await requireContest(db, contestId);
  return repo.listMembers(db, contest.id);
}

/**
 * Replaces the members. Every phone must be an account whose role is the member role
 * asked (400 naming each one that is not); a list without an organizer is 409
 * LAST_ORGANIZER, so a contest can always be managed by someone other than an admin.
 */
export async function replaceMembers(db: Db, actorId: string, contestId: string, body: MembersBody) {
  return db.transaction(async (tx) => {
    const contest = await requireContest(tx, contestId);
    const details: { field: string; message: string; phone?: string }[] = [];
    const wanted: { phone: string; role: repo.MemberRole; index: number }[] = [];
    const seen = new Set<string>();
    body.members.forEach((m, index) => {
      const phone = normalizePhone(m.phone);
      if (!phone) details.push({ field: `body.members.${index}.phone`, message: 'not a Vietnamese mobile number', phone: m.phone });
      else if (seen.has(phone)) details.push({ field: `body.members.${index}.phone`, message: 'listed twice', phone });
      else {
        seen.add(phone);
        wanted.push({ phone, role: m.role, index });
      }
    });
    const found = new Map(
      (
        await repo.findUsersByPhones(
          tx,
          wanted.map((w) => w.phone),
        )
      ).map((u) => [u.phone, u]),
    );
    for (const w of wanted) {
      const u = found.get(w.phone);
      if (!u) details.push({ field: `body.members.${w.index}.phone`, message: 'no account has this phone number', phone: w.phone });
      else if (u.role !== w.role)
        details.push({ field: `body.members.${w.index}.role`, message: `this account is a ${u.role}, not a ${w.role}`, phone: w.phone });
    }
    if (details.length)
      throw badRequest(
        'VALIDATION_FAILED',
        `Members not accepted: ${details.map((d) => `${d.phone ?? ''} ${d.message}`.trim()).join('; ')}`.slice(0, 2000),
        details,
      );
    if (!wanted.some((w) => w.role === 'organizer')) throw conflict('LAST_ORGANIZER', 'A contest needs at least one organizer member');
    await repo.lockMembers(tx, contest.id);
    const before = await repo.listMembers(tx, contest.id);
    await repo.replaceMembers(
      tx,
      contest.id,
      wanted.map((w) => ({ userId: found.get(w.phone)!.id, role: w.role })),
    );
    const after = await repo.listMembers(tx, contest.id);
    // What changed (up to 500 members a side): who joined, who left, whose role changed.
    const change = listChange(before, after, {
      key: (m) => m.userId,
      line: (m) => `${m.userId}\t${m.role}`,
      sorted: true,
      same: (a, b) => a.role === b.role,
    });
    await recordAudit(tx, {
      actorId,
      action: 'contest.members',
      entity: 'contest',
      entityId: contest.id,
      before: change.before,
      after: change.after,
    });
    return after;
  });
}

/** The sealing time of a round known by id only (the hot path holds a snapshot, not the row). */
export async function sealedAtById(db: Db, roundId: string): Promise<Date | null> {
  return repo.roundSealedAt(db, roundId, SUBMIT_GRACE_MS);
}

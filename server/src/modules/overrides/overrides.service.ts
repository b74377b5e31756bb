import type { Db } from '../../../../db/client';
import { badRequest, conflict, notFound, sqlState } from '../../lib/errors';
import { SUBMIT_GRACE_MS } from '../../lib/rounds';
import { recordAudit } from '../audit/index';
import { isSealed, lockRound, requireRound } from '../contests/index';
import * as repo from './overrides.repo';
import type { OverrideBody, OverrideResponse } from './overrides.schemas';

const toResponse = (o: repo.Override, who: { fullName: string; phone: string }, extendedAttempts?: number): OverrideResponse => ({
  roundId: o.roundId,
  userId: o.userId,
  fullName: who.fullName,
  phone: who.phone,
  extraAttempts: o.extraAttempts,
  extraSeconds: o.extraSeconds,
  reason: o.reason,
  updatedAt: o.updatedAt.toISOString(),
  ...(extendedAttempts === undefined ? {} : { extendedAttempts }),
});

export async function setOverrideByPhone(db: Db, actorId: string, roundId: string, phone: string, body: OverrideBody): Promise<OverrideResponse> {
  const user = await repo.findUserByPhone(db, phone);
  if (!user) throw notFound('Resident');
  return setOverride(db, actorId, roundId, user.id, body);
}

export async function listOverrides(db: Db, roundId: string): Promise<OverrideResponse[]> {
  const round = await requireRound(db, roundId);
  return (await repo.listOverrides(db, round.id)).map((r) => toResponse(r.o, r));
}

/**
 * Grants (or changes) a resident's allowance in a round. More seconds also move the
 * deadline of an attempt the resident is taking now; fewer seconds apply to later starts
 * only. Fewer extra attempts than the resident already used are refused by the database.
 */
export async function setOverride(db: Db, actorId: string, roundId: string, userId: string, body: OverrideBody, now = new Date()): Promise<OverrideResponse> {
  try {
    return await db.transaction(async (tx) => {
      await requireRound(tx, roundId);
      // The round's row lock orders this against the sealing checks (answer key, finalize).
      await lockRound(tx, roundId);
      const round = await requireRound(tx, roundId);
      if (round.finalizedAt || (await isSealed(tx, round, now)))
        throw conflict('ROUND_SEALED', 'The round is sealed (no submission can be accepted and its answer key may be public): overrides can no longer change');
      const user = await repo.findUser(tx, userId);
      if (!user) throw notFound('User');
      if (user.role !== 'resident') throw badRequest('NOT_A_RESIDENT', 'Overrides are for residents who take the round');
      const before = await repo.findOverride(tx, round.id, user.id);
      const after = await repo.upsertOverride(tx, { roundId: round.id, userId: user.id, ...body, createdBy: actorId });
      const added = after.extraSeconds - (before?.extraSeconds ?? 0);
      const extended = added > 0 ? await repo.extendRunningAttempts(tx, round.id, user.id, added, SUBMIT_GRACE_MS) : 0;
      await recordAudit(tx, {
        actorId,
        action: 'override.set',
        entity: 'override',
        entityId: `${round.id}:${user.id}`,
        before: before ? { ...before, contestId: round.contestId } : null,
        after: { ...after, contestId: round.contestId, extendedAttempts: extended },
      });
      return toResponse(after, user, extended);
    });
  } catch (err) {
    if (sqlState(err) === '23514') throw conflict('OVERRIDE_BELOW_USED', 'The resident already used more attempts than this override would allow');
    throw err;
  }
}

/** GET /me/overrides. */
export const myOverrides = (db: Db, userId: string) => repo.overridesOfUser(db, userId);

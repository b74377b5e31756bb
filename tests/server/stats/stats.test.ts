import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client';
import { attempts, localities, overrides, submissions, units, type Round } from '../../../db/schema/index';
import { memberToken, useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { makeOpenAttempt } from '../../helpers/results-factories';

const t = useTestApp();
let organizer: string;
beforeAll(async () => (organizer = await memberToken(t, 'organizer')));

const HOUR = 3_600_000;

/** An attempt as the attempts module stores it, optionally with its submission. */
async function attempt(
  db: Db,
  round: Round,
  userId: string,
  o: { attemptNo?: number; startedAt: Date; submit?: { score: number; total?: number; afterMs?: number } },
) {
  const id = randomUUID();
  const deadline = new Date(Math.min(o.startedAt.getTime() + round.timeLimitSeconds * 1000, round.closesAt.getTime()));
  await db.insert(attempts).values({
    id,
    roundId: round.id,
    userId,
    attemptNo: o.attemptNo ?? 1,
    maxAttempts: round.maxAttempts,
    seed: 1,
    questionIds: [],
    startedAt: o.startedAt,
    deadline,
  });
  if (o.submit) {
    const submittedAt = new Date(o.startedAt.getTime() + (o.submit.afterMs ?? 60_000));
    await db.insert(submissions).values({
      attemptId: id,
      roundId: round.id,
      userId,
      attemptNo: o.attemptNo ?? 1,
      choices: Buffer.alloc(0),
      prediction: 10,
      score: o.submit.score,
      total: o.submit.total ?? 5,
      deadline,
      submittedAt,
      durationMs: submittedAt.getTime() - o.startedAt.getTime(),
    });
  }
}

const stats = (roundId: string, token = organizer) => t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${roundId}/stats`, headers: bearer(token) });

async function scenario(window: { opensAt: Date; closesAt: Date }) {
  const db = t.database.db;
  const c = await makeContest(db);
  const [xa, xb] = await db
    .insert(localities)
    .values([
      { contestId: c.id, name: 'Xã An Hòa', headcount: 4 },
      { contestId: c.id, name: 'Phường Bắc Sơn' },
    ])
    .returning();
  const [u1] = await db
    .insert(units)
    .values([{ contestId: c.id, name: 'Sở Nội vụ', headcount: 10 }])
    .returning();
  const { round } = await makeRound(db, c.id, { ...window, maxAttempts: 3 });
  const base = new Date(Math.floor(window.opensAt.getTime() / HOUR) * HOUR + 5 * 60_000);
  const p1 = await makeResident(db, { localityId: xa.id, unitId: u1.id });
  const p2 = await makeResident(db, { localityId: xa.id });
  const p3 = await makeResident(db, {});
  await attempt(db, round, p1.id, { startedAt: base, submit: { score: 5 } });
  await attempt(db, round, p1.id, { attemptNo: 2, startedAt: new Date(base.getTime() + HOUR), submit: { score: 4 } });
  await attempt(db, round, p2.id, { startedAt: new Date(base.getTime() + HOUR + 60_000) });
  await attempt(db, round, p3.id, { startedAt: new Date(base.getTime() + HOUR + 120_000), submit: { score: 5 } });
  return { round, xa, xb, u1, base };
}

describe('GET /admin/rounds/:roundId/stats', () => {
  it('counts participants, attempts and submissions, by locality, unit and hour', async () => {
    const now = Date.now();
    const { round, xa, xb, u1, base } = await scenario({ opensAt: new Date(now - 3 * HOUR), closesAt: new Date(now + 24 * HOUR) });
    const res = await stats(round.id);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ roundId: round.id, status: 'open', participants: 3, attempts: 4, submitted: 3, submitters: 2 });
    expect(s.byLocality).toEqual([
      { id: xb.id, name: 'Phường Bắc Sơn', headcount: null, participants: 0, attempts: 0, submitted: 0, participationRate: null },
      { id: xa.id, name: 'Xã An Hòa', headcount: 4, participants: 2, attempts: 3, submitted: 2, participationRate: 0.5 },
      { id: null, name: null, headcount: null, participants: 1, attempts: 1, submitted: 1, participationRate: null },
    ]);
    expect(s.byUnit).toEqual([
      { id: u1.id, name: 'Sở Nội vụ', headcount: 10, participants: 1, attempts: 2, submitted: 2, participationRate: 0.1 },
      { id: null, name: null, headcount: null, participants: 2, attempts: 2, submitted: 1, participationRate: null },
    ]);
    const h0 = new Date(Math.floor(base.getTime() / HOUR) * HOUR);
    expect(s.timeline).toEqual([
      { hour: h0.toISOString(), started: 1, submitted: 1 },
      { hour: new Date(h0.getTime() + HOUR).toISOString(), started: 3, submitted: 2 },
    ]);
  });

  it('reveals no score figure while the round is open, nor during the submit grace after closing', async () => {
    for (const closesAt of [new Date(Date.now() + HOUR), new Date(Date.now() - 10_000)]) {
      const { round } = await scenario({ opensAt: new Date(closesAt.getTime() - 5 * HOUR), closesAt });
      const s = (await stats(round.id)).json();
      expect(s).not.toHaveProperty('scores');
      expect(JSON.stringify(s)).not.toMatch(/perfect|score/i);
    }
  });

  it('waits for an attempt an override keeps running past the close before adding the score figures', async () => {
    const closesAt = new Date(Date.now() - HOUR);
    const { round } = await scenario({ opensAt: new Date(closesAt.getTime() - 5 * HOUR), closesAt });
    const late = await makeResident(t.database.db);
    await t.database.db.insert(overrides).values({ roundId: round.id, userId: late.id, extraSeconds: (3 * HOUR) / 1000, reason: 'Người khuyết tật' });
    // An attempt of the resident's, still running an hour after the close.
    const running = await makeOpenAttempt(t.database.db, round, late.id);
    const endAt = (deadline: Date) => t.database.db.update(attempts).set({ deadline }).where(eq(attempts.id, running.id));
    await endAt(new Date(Date.now() + 600_000));
    const during = (await stats(round.id)).json();
    expect(during).not.toHaveProperty('scores');
    await endAt(new Date(Date.now() - 60_000));
    // Past the figures' cache (3 s).
    await expect.poll(async () => 'scores' in (await stats(round.id)).json(), { timeout: 8_000, interval: 500 }).toBe(true);
  });

  it('adds the score figures once the round is closed', async () => {
    const closesAt = new Date(Date.now() - HOUR);
    const { round } = await scenario({ opensAt: new Date(closesAt.getTime() - 5 * HOUR), closesAt });
    const s = (await stats(round.id)).json();
    expect(s.status).toBe('closed');
    expect(s.scores).toEqual({
      perfectEntries: 2,
      perfectPeople: 2,
      distribution: [
        { score: 5, total: 5, entries: 2, people: 2 },
        { score: 4, total: 5, entries: 1, people: 1 },
      ],
    });
  });

  it('serves one computation to organizers polling within a few seconds', async () => {
    const { round } = await makeRound(t.database.db, (await makeContest(t.database.db)).id);
    const [a, b] = await Promise.all([stats(round.id), stats(round.id)]);
    const c = await stats(round.id);
    expect(a.json().generatedAt).toBe(b.json().generatedAt);
    expect(c.json().generatedAt).toBe(a.json().generatedAt);
  });

  it('answers zeros for a round without attempts', async () => {
    const { round } = await makeRound(t.database.db, (await makeContest(t.database.db)).id);
    expect((await stats(round.id)).json()).toMatchObject({ participants: 0, attempts: 0, submitted: 0, byLocality: [], byUnit: [], timeline: [] });
  });

  it('is for organizers and judges; residents get 403, unknown rounds 404', async () => {
    const { round } = await makeRound(t.database.db, (await makeContest(t.database.db)).id);
    const judge = await makeStaff(t.database.db, 'judge');
    expect((await stats(round.id, tokenFor(t.app, judge))).statusCode).toBe(404);
    await addMember(t.database.db, round.contestId, judge);
    expect((await stats(round.id, tokenFor(t.app, judge))).statusCode).toBe(200);
    expect((await stats(round.id, tokenFor(t.app, { id: 'r', role: 'resident' }))).statusCode).toBe(403);
    expect((await stats('no-such-round')).statusCode).toBe(404);
  });
});

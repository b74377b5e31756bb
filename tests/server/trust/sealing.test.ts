import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { attempts, overrides, rounds } from '../../../db/schema/index';
import { memberToken, useTestApp } from '../../helpers/app';
import { testClock } from '../../helpers/clock';
import { bearer, makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { ageRound, makeClosedRound, makeOpenAttempt } from '../../helpers/results-factories';
import { start, submit, finalize, firstOptions, type Served } from '../../helpers/requests';

const clock = testClock();
const t = useTestApp({ now: clock.now });
let organizer: string;
let judge: string;
const db = () => t.database.db;
const SECOND = 1000;

beforeAll(async () => {
  organizer = await memberToken(t, 'organizer');
  judge = await memberToken(t, 'judge');
});

const key = (roundId: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/answer-key`, headers });
const patchRound = (roundId: string, payload: object) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1/admin/rounds/${roundId}`, headers: bearer(organizer), payload });
const putOverride = (roundId: string, userId: string) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/admin/rounds/${roundId}/overrides/${userId}`,
    headers: bearer(organizer),
    payload: { extraAttempts: 0, extraSeconds: 120, reason: 'Mất sóng' },
  });

/** A round of two questions opening tomorrow, with an empty pool. */
async function makeRoundOpeningTomorrow(contestId: string) {
  const opensAt = new Date(Date.now() + 86_400_000);
  const closesAt = new Date(Date.now() + 2 * 86_400_000);
  return (await makeRound(db(), contestId, { questionCount: 2, opensAt, closesAt }, 0)).round;
}

/** The public refusals are remembered for a second per process: a later read must not see a stale one. */
const pastRefusalMemory = () => clock.advance(1100);

describe('sealed rounds: the answer key', () => {
  it('stays closed to a script that reads it at closesAt, while a submission can still be accepted', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, timeLimitSeconds: 600, closesAt: new Date(Date.now() + 60 * SECOND) }, 3);
    const resident = await makeResident(db());
    const token = tokenFor(t.app, resident);
    const served = (await start(t.app, round.id, token)).json() as Served;

    // The round closes: the attempt's deadline was capped at closesAt and the grace runs.
    await ageRound(db(), round.id, 70 * SECOND);
    const early = await key(round.id);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('ROUND_NOT_CLOSED');
    const retry = Number(early.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(15);
    expect(retry).toBeLessThanOrEqual(21);
    expect(JSON.stringify(early.json())).not.toMatch(/correct/i);
    // Finalize waits for the same moment.
    const fin = await finalize(t.app, round.id, judge);
    expect(fin.statusCode).toBe(409);
    expect(fin.json().code).toBe('ROUND_NOT_CLOSED');
    expect(Number(fin.headers['retry-after'])).toBeGreaterThan(0);

    // Inside the grace the submission is still accepted: the key was not there to copy.
    expect((await submit(t.app, served.attemptId, token, firstOptions(served))).statusCode).toBe(200);

    await ageRound(db(), round.id, 31 * SECOND);
    pastRefusalMemory();
    const open = await key(round.id);
    expect(open.statusCode).toBe(200);
    expect(open.json()).toHaveLength(3);
  });

  it('waits for an attempt that an override keeps running past closesAt', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { questionCount: 3, closesAt: new Date(Date.now() - 5 * 60 * SECOND) }, 3);
    const resident = await makeResident(db());
    await db().insert(overrides).values({ roundId: round.id, userId: resident.id, extraSeconds: 600, reason: 'Mất điện' });
    const running = await makeOpenAttempt(db(), round, resident.id);
    await db()
      .update(attempts)
      .set({ deadline: new Date(Date.now() + 60 * SECOND) })
      .where(eq(attempts.id, running.id));

    const res = await key(round.id);
    expect(res.statusCode).toBe(409);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(85);
    expect((await finalize(t.app, round.id, judge)).json().code).toBe('ROUND_NOT_CLOSED');

    // Once that attempt's time and the grace are over, the round is sealed.
    await db()
      .update(attempts)
      .set({ deadline: new Date(Date.now() - 31 * SECOND) })
      .where(eq(attempts.id, running.id));
    pastRefusalMemory();
    expect((await key(round.id)).statusCode).toBe(200);
    expect((await finalize(t.app, round.id, judge)).statusCode).toBe(200);
  });

  it('is served with Cache-Control and an ETag, and 304 for a matching If-None-Match', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { questionCount: 3 }, 3);
    const first = await key(round.id);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await key(round.id, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await key(round.id, { 'if-none-match': '"other"' })).statusCode).toBe(200);
  });
});

describe('sealed rounds: closing early and after sealing', () => {
  it("brings running deadlines down to an early close, plus the resident's extra seconds", async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, timeLimitSeconds: 3600 }, 3);
    const plain = await makeResident(db());
    const extra = await makeResident(db());
    await db().insert(overrides).values({ roundId: round.id, userId: extra.id, extraSeconds: 300, reason: 'Người khuyết tật' });
    const a = (await start(t.app, round.id, tokenFor(t.app, plain))).json() as Served;
    const b = (await start(t.app, round.id, tokenFor(t.app, extra))).json() as Served;

    const closesAt = new Date();
    const res = await patchRound(round.id, { closesAt: closesAt.toISOString() });
    expect(res.statusCode).toBe(200);
    const deadlines = new Map((await db().select().from(attempts).where(eq(attempts.roundId, round.id))).map((x) => [x.id, x.deadline.getTime()]));
    expect(deadlines.get(a.attemptId)).toBe(closesAt.getTime());
    expect(deadlines.get(b.attemptId)).toBe(closesAt.getTime() + 300 * SECOND);
    // The resident with extra seconds keeps the round from sealing until those run out.
    expect(Number((await key(round.id)).headers['retry-after'])).toBeGreaterThanOrEqual(300);
  });

  it('keeps the key closed after an early close to before an attempt started, while that attempt can still submit', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, timeLimitSeconds: 3600, opensAt: new Date(clock.now() - 3_600_000) }, 3);
    const resident = await makeResident(db());
    const token = tokenFor(t.app, resident);
    const served = (await start(t.app, round.id, token)).json() as Served;

    // Closed "earlier": ten minutes before the attempt started. The clamp ends the attempt
    // just after its start, and its submit is accepted for the grace after that.
    const res = await patchRound(round.id, { closesAt: new Date(clock.now() - 600 * SECOND).toISOString() });
    expect(res.statusCode).toBe(200);
    const refused = await key(round.id);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'ROUND_NOT_CLOSED']);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The submission the key would have helped is indeed still accepted.
    expect((await submit(t.app, served.attemptId, token, firstOptions(served))).statusCode).toBe(200);
    // Once no submission of it can be accepted any more, the key opens.
    clock.advance(31 * SECOND);
    pastRefusalMemory();
    expect((await key(round.id)).statusCode).toBe(200);
  });

  it('refuses to reopen a sealed round or grant overrides in it (409 ROUND_SEALED), and changes nothing', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(db());
    const later = await patchRound(round.id, { closesAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(later.statusCode).toBe(409);
    expect(later.json().code).toBe('ROUND_SEALED');
    const o = await putOverride(round.id, resident.id);
    expect(o.statusCode).toBe(409);
    expect(o.json().code).toBe('ROUND_SEALED');
    const [after] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(after.closesAt.getTime()).toBe(round.closesAt.getTime());
    expect(await db().select().from(overrides).where(eq(overrides.roundId, round.id))).toHaveLength(0);
    // Other edits of a sealed round stay possible (a title fix).
    expect((await patchRound(round.id, { title: 'Tuần 1 (đã đóng)' })).statusCode).toBe(200);
  });

  it('answers ROUND_SEALED to reopening a finalized round too (it is sealed), and ROUND_FINALIZED to its other edits', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { questionCount: 3 }, 3);
    expect((await finalize(t.app, round.id, judge)).statusCode).toBe(200);
    const later = await patchRound(round.id, { closesAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect([later.statusCode, later.json().code]).toEqual([409, 'ROUND_SEALED']);
    const title = await patchRound(round.id, { title: 'Tuần 1 (đã chấm)' });
    expect([title.statusCode, title.json().code]).toEqual([409, 'ROUND_FINALIZED']);
    const [after] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect([after.closesAt.getTime(), after.title]).toEqual([round.closesAt.getTime(), round.title]);
  });

  it('still reopens a round that closed but is not sealed yet', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, closesAt: new Date(Date.now() - 5 * SECOND) }, 3);
    expect((await patchRound(round.id, { closesAt: new Date(Date.now() + 3_600_000).toISOString() })).statusCode).toBe(200);
  });
});

describe('questions whose answer is public', () => {
  it('join another pool only with allowPublished, and are marked in lists and pools', async () => {
    const contest = await makeContest(db());
    const { pool } = await makeClosedRound(db(), contest.id, { questionCount: 3 }, 3);
    const next = await makeRoundOpeningTomorrow(contest.id);
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/rounds/${next.id}/questions`, headers: bearer(organizer), payload });

    const refused = await put({ questionIds: [pool[0].id, pool[1].id] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('QUESTION_PUBLISHED');
    expect(
      refused
        .json()
        .details.map((d: { questionId: string; field: string }) => [d.field, d.questionId])
        .sort(),
    ).toEqual(
      [
        ['questionIds', pool[0].id],
        ['questionIds', pool[1].id],
      ].sort(),
    );
    const empty = await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${next.id}/questions`, headers: bearer(organizer) });
    expect(empty.json().size).toBe(0);

    const list = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${contest.id}/questions`, headers: bearer(organizer) });
    expect(list.json().every((q: { published: boolean }) => q.published)).toBe(true);

    const allowed = await put({ questionIds: [pool[0].id, pool[1].id], allowPublished: true });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().questions.map((q: { published: boolean }) => q.published)).toEqual([true, true]);
  });

  it('are not published while their round is not sealed', async () => {
    const contest = await makeContest(db());
    const { pool } = await makeRound(db(), contest.id, { questionCount: 2 }, 2);
    const next = await makeRoundOpeningTomorrow(contest.id);
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/rounds/${next.id}/questions`,
      headers: bearer(organizer),
      payload: { questionIds: pool.map((q) => q.id) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().questions.map((q: { published: boolean }) => q.published)).toEqual([false, false]);
  });
});

describe('scores of a round that reveals them after close', () => {
  it('stay hidden in GET /me/attempts and on a repeat submit until the round is sealed', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, revealScore: 'after_close', closesAt: new Date(Date.now() + 60 * SECOND) }, 3);
    const resident = await makeResident(db());
    const token = tokenFor(t.app, resident);
    const served = (await start(t.app, round.id, token)).json() as Served;
    const first = await submit(t.app, served.attemptId, token, firstOptions(served));
    expect(first.statusCode).toBe(200);
    expect(first.json().score).toBeUndefined();
    const mine = () => t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: bearer(token) }).then((r) => r.json()[0]);

    await ageRound(db(), round.id, 70 * SECOND);
    expect((await mine()).score).toBeUndefined();
    expect((await submit(t.app, served.attemptId, token, firstOptions(served))).json().score).toBeUndefined();

    await ageRound(db(), round.id, 31 * SECOND);
    expect(typeof (await mine()).score).toBe('number');
    expect(typeof (await submit(t.app, served.attemptId, token, firstOptions(served))).json().score).toBe('number');
  });
});

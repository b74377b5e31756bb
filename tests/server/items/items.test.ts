import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, questionReviews, questions, roundResults, rounds, submissions, type Question, type Round, overrides } from '../../../db/schema/index';
import { analyzeItems, statsFor } from '../../../server/src/lib/item-analysis';
import { grade } from '../../../server/src/lib/scoring';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { bearer, makeContest, makeResident, tokenFor, makeMemberStaff } from '../../helpers/factories';
import { makeClosedRound, makeOpenAttempt, makeSubmission, storedAnswers } from '../../helpers/results-factories';
import { settleLateSubmissions } from '../../../server/src/modules/items/items.service';

let t: TestContext;
let judgeToken: string;
let organizerToken: string;
let judgeId: string;
beforeAll(async () => {
  t = await makeTestApp();
  const judge = await makeMemberStaff(t.database.db, 'judge');
  judgeId = judge.id;
  judgeToken = tokenFor(t.app, judge);
  organizerToken = tokenFor(t.app, await makeMemberStaff(t.database.db, 'organizer'));
});
afterAll(() => t.close());

const db = () => t.database.db;
const req = (method: 'GET' | 'POST', url: string, token = judgeToken, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

const keyOf = (q: Question) => q.options.find((o) => o.correct)!.id;
const other = (q: Question, n: number) => q.options.filter((o) => !o.correct)[n].id;

interface Crafted {
  round: Round;
  pool: Question[];
  /** The option the strong residents choose on pool[0]: the true answer, not the key. */
  trueAnswer: string;
  people: { id: string; answers: { questionId: string; optionId: string }[]; attemptId: string }[];
}

/**
 * 40 residents of rising strength on a 5-question round. pool[1..4] are good questions:
 * the stronger half or more answer them right. pool[0] is miskeyed: residents 20..39 (the
 * strong ones) choose its true answer, which the key marks wrong; the weak ones split
 * between the key and a third option.
 */
async function craftedRound(
  prizes = [
    { name: 'Giải Nhất', count: 1 },
    { name: 'Giải Nhì', count: 2 },
  ],
): Promise<Crafted> {
  const contest = await makeContest(db());
  const { round, pool } = await makeClosedRound(db(), contest.id, { questionCount: 5, prizes }, 5);
  const trueAnswer = other(pool[0], 0);
  const thresholds = [0, 8, 12, 16, 20];
  const people: Crafted['people'] = [];
  for (let i = 0; i < 40; i++) {
    const user = await makeResident(db());
    const answers = pool.map((q, j) => {
      if (j === 0) return { questionId: q.id, optionId: i >= 20 ? trueAnswer : i % 2 === 0 ? keyOf(q) : other(q, 1) };
      return { questionId: q.id, optionId: i >= thresholds[j] ? keyOf(q) : other(q, i % 3) };
    });
    const g = grade(
      pool.map((q) => q.id),
      answers,
      (id) => {
        const q = pool.find((x) => x.id === id)!;
        return { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: keyOf(q) };
      },
    );
    if (!g.ok) throw new Error('bad crafted answers');
    const { attempt } = await makeSubmission(db(), round, user.id, {
      // Fixed ids, the stronger resident first: ties in the analysis's ranking (by attempt id)
      // break the same way on every run, not by the luck of random ids.
      attemptId: `${round.id}-${String(39 - i).padStart(2, '0')}`,
      score: g.score,
      total: 5,
      answers,
      questionIds: pool.map((q) => q.id),
      prediction: i,
      durationMs: 60_000 + i,
    });
    people.push({ id: user.id, answers, attemptId: attempt.id });
  }
  return { round, pool, trueAnswer, people };
}

/** Every submission's score graded again from scratch with the questions as stored now. */
async function expectedScores(roundId: string): Promise<Map<string, number>> {
  const rows = await db().execute(
    sql`select s.attempt_id, submission_answers(a.question_ids, s.choices) as answers, a.question_ids from submissions s join attempts a on a.id = s.attempt_id where s.round_id = ${roundId}`,
  );
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as {
    attempt_id: string;
    answers: { questionId: string; optionId: string }[];
    question_ids: string[];
  }[];
  const qids = [...new Set(list.flatMap((r) => r.question_ids))];
  const qs = qids.length ? await db().select().from(questions).where(inArray(questions.id, qids)) : [];
  const out = new Map<string, number>();
  for (const r of list) {
    const g = grade(r.question_ids, r.answers, (id) => {
      const q = qs.find((x) => x.id === id);
      return q ? { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: keyOf(q), voided: q.voidedAt !== null } : undefined;
    });
    if (!g.ok) throw new Error('stored answers do not grade');
    out.set(r.attempt_id, g.score);
  }
  return out;
}

async function storedScores(roundId: string): Promise<Map<string, number>> {
  const rows = await db().select({ id: submissions.attemptId, score: submissions.score }).from(submissions).where(eq(submissions.roundId, roundId));
  return new Map(rows.map((r) => [r.id, r.score]));
}

/** What a refused or dry-run correction must leave untouched. */
async function snapshot(c: Crafted) {
  const ids = c.pool.map((q) => q.id);
  return {
    scores: [...(await storedScores(c.round.id)).entries()].sort(),
    questions: await db().select().from(questions).where(inArray(questions.id, ids)),
    reviews: await db().select().from(questionReviews).where(inArray(questionReviews.questionId, ids)),
    audit: (await db().select({ id: auditLog.id }).from(auditLog).where(inArray(auditLog.entityId, ids))).length,
    results: await db().select().from(roundResults).where(eq(roundResults.roundId, c.round.id)),
    round: (await db().select().from(rounds).where(eq(rounds.id, c.round.id)))[0],
  };
}

describe('GET /admin/rounds/:roundId/item-analysis', () => {
  it('flags the miskeyed question that strong residents answer "wrongly", and not the good ones', async () => {
    const c = await craftedRound();
    const res = await req('GET', `/admin/rounds/${c.round.id}/item-analysis`);
    expect(res.statusCode).toBe(200);
    const rows = res.json() as {
      questionId: string;
      flags: string[];
      facility: number;
      discrimination: number;
      drawn: number;
      answered: number;
      reviewed: boolean;
      flagMessages: { message: string; messageEn: string }[];
      options: { optionId: string; chosen: number; chosenTop: number; chosenBottom: number }[];
    }[];
    expect(rows).toHaveLength(5);
    // Flagged first.
    expect(rows[0].questionId).toBe(c.pool[0].id);
    expect(rows[0].flags).toEqual(['likely_miskeyed']);
    expect(rows[0].reviewed).toBe(false);
    expect(rows[0].flagMessages[0].message).toMatch(/sai đáp án/);
    expect(rows[0].flagMessages[0].messageEn).toMatch(/miskeyed/i);
    expect(rows[0]).toMatchObject({ drawn: 40, answered: 40, facility: 0.25 });
    // The bottom 10 are residents 0..7 and 8, 9 (ties broken by attempt id, the stronger first): 5 of them chose the key.
    expect(rows[0].discrimination).toBeLessThanOrEqual(-0.4);
    const top = rows[0].options.find((o) => o.optionId === c.trueAnswer)!;
    expect(top).toMatchObject({ chosen: 20, chosenTop: 10, chosenBottom: 0 });
    for (const r of rows.slice(1)) {
      expect(r.flags).toEqual([]);
      expect(r.discrimination).toBeGreaterThanOrEqual(0.5);
    }

    // The SQL counts equal the TypeScript reference's.
    const twin = analyzeItems(
      c.pool.map((q) => ({ id: q.id, options: q.options, voided: false })),
      await Promise.all(
        (await db().select().from(submissions).where(eq(submissions.roundId, c.round.id))).map(async (s) => ({
          attemptId: s.attemptId,
          questionIds: c.pool.map((q) => q.id),
          answers: await storedAnswers(db(), s.attemptId),
          score: s.score,
        })),
      ),
    );
    for (const r of rows) {
      const ref = twin.get(r.questionId)!;
      expect({ drawn: r.drawn, answered: r.answered }).toEqual({ drawn: ref.drawn, answered: ref.answered });
      expect(r.options.map((o) => [o.optionId, o.chosen, o.chosenTop, o.chosenBottom])).toEqual(
        ref.options.map((o) => [o.optionId, o.chosen, o.chosenTop, o.chosenBottom]),
      );
      const s = statsFor(ref);
      expect([r.facility, r.discrimination, r.flags]).toEqual([s.facility, s.discrimination, s.flags]);
    }

    // Organizers may read it too; residents may not.
    expect((await req('GET', `/admin/rounds/${c.round.id}/item-analysis`, organizerToken)).statusCode).toBe(200);
    const resident = tokenFor(t.app, await makeResident(db()));
    expect((await req('GET', `/admin/rounds/${c.round.id}/item-analysis`, resident)).statusCode).toBe(403);
  });

  it('is 409 ROUND_NOT_CLOSED while a submission can still arrive (open round, or a running attempt past closesAt)', async () => {
    const contest = await makeContest(db());
    const { round: open } = await makeClosedRound(db(), contest.id, { closesAt: new Date(Date.now() + 3_600_000) });
    const r1 = await req('GET', `/admin/rounds/${open.id}/item-analysis`);
    expect(r1.statusCode).toBe(409);
    expect(r1.json().code).toBe('ROUND_NOT_CLOSED');
    expect(Number(r1.headers['retry-after'])).toBeGreaterThan(3000);

    // Closed 10 s ago, but a resident's extended attempt (an override's extra seconds) runs a minute more.
    const { round: closed } = await makeClosedRound(db(), contest.id, { closesAt: new Date(Date.now() - 10_000) });
    const late = await makeResident(db());
    await db().insert(overrides).values({ roundId: closed.id, userId: late.id, extraSeconds: 120, reason: 'Mất điện' });
    const attempt = await makeOpenAttempt(db(), closed, late.id);
    await db().execute(sql`update attempts set deadline = now() + interval '60 seconds' where id = ${attempt.id}`);
    const r2 = await req('GET', `/admin/rounds/${closed.id}/item-analysis`);
    expect(r2.statusCode).toBe(409);
    expect(Number(r2.headers['retry-after'])).toBeGreaterThan(60);
    // The grace after closesAt counts as well.
    const { round: justClosed } = await makeClosedRound(db(), contest.id, { closesAt: new Date(Date.now() - 5_000) });
    expect((await req('GET', `/admin/rounds/${justClosed.id}/item-analysis`)).statusCode).toBe(409);
    expect((await req('GET', `/admin/rounds/nope/item-analysis`)).statusCode).toBe(404);
  });
});

describe('POST /admin/questions/:questionId/correction', () => {
  it('previews with dryRun=true (scores and prize rows that would change) and writes nothing', async () => {
    const c = await craftedRound();
    expect((await req('POST', `/judge/rounds/${c.round.id}/finalize`)).statusCode).toBe(200);
    const before = await snapshot(c);
    const res = await req('POST', `/admin/questions/${c.pool[0].id}/correction?dryRun=true`, judgeToken, {
      correctOptionId: c.trueAnswer,
      reason: 'Đáp án đúng là B',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ regraded: 40, rounds: [c.round.id], dryRun: true, staleRounds: [c.round.id] });
    // Residents 20..39 gain a point; the even ones under 20 lose one.
    expect(body.scoresChanged).toBe(30);
    expect(body.changes).toHaveLength(1);
    expect(body.changes[0]).toMatchObject({ roundId: c.round.id, scoresChanged: 30, finalized: true });
    expect(body.changes[0].prizeRowsChanged).toBeGreaterThan(0);
    expect(body.changes[0].prizeRowsChanged).toBe(body.changes[0].prizeRows.length);
    // With the true key, residents 20..39 have 5/5 and resident 20 predicted their number exactly.
    expect(body.changes[0].prizeRows).toContainEqual(expect.objectContaining({ userId: c.people[20].id, prizeAfter: 'Giải Nhất', scoreAfter: 5 }));
    // Everyone stays ranked: who loses a prize has a place and a score after, who gains one before.
    const losers = body.changes[0].prizeRows.filter((r: { prizeAfter: string | null }) => r.prizeAfter === null);
    expect(losers.length).toBeGreaterThan(0);
    for (const r of body.changes[0].prizeRows) {
      expect(r.positionBefore, JSON.stringify(r)).toEqual(expect.any(Number));
      expect(r.positionAfter, JSON.stringify(r)).toEqual(expect.any(Number));
      expect(r.scoreBefore, JSON.stringify(r)).toEqual(expect.any(Number));
      expect(r.scoreAfter, JSON.stringify(r)).toEqual(expect.any(Number));
    }
    expect(await snapshot(c)).toEqual(before);
  });

  it('regrades in SQL, keeps both keys in the audit, makes results stale and withdraws the publication; finalizing again gives the new order', async () => {
    // Everyone predicts 0 all-correct people: with the wrong key nobody has 5/5.
    const c = await craftedRound([{ name: 'Giải Nhất', count: 3 }]);
    const fin1 = (await req('POST', `/judge/rounds/${c.round.id}/finalize`)).json();
    expect(fin1.actualCount).toBe(0);
    expect((await req('POST', `/judge/rounds/${c.round.id}/publish`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${c.round.id}/winners` })).statusCode).toBe(200);
    const ranking1 = (await req('GET', `/judge/rounds/${c.round.id}/ranking?limit=5`)).json();

    const res = await req('POST', `/admin/questions/${c.pool[0].id}/correction`, organizerToken, {
      correctOptionId: c.trueAnswer,
      reason: '  Đáp án  đúng là B ',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      regraded: 40,
      rounds: [c.round.id],
      scoresChanged: 30,
      staleRounds: [c.round.id],
      withdrawnRounds: [c.round.id],
      dryRun: false,
    });
    expect(res.json().changes).toBeUndefined();

    // Scores equal a fresh grading with the new key.
    expect(await storedScores(c.round.id)).toEqual(await expectedScores(c.round.id));
    const [q] = await db().select().from(questions).where(eq(questions.id, c.pool[0].id));
    expect(keyOf(q)).toBe(c.trueAnswer);

    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, c.pool[0].id), eq(auditLog.action, 'question.correct')));
    expect(audit).toHaveLength(1);
    expect((audit[0].before as { options: { id: string; correct: boolean }[] }).options.find((o) => o.correct)!.id).toBe(keyOf(c.pool[0]));
    expect((audit[0].after as { options: { id: string; correct: boolean }[]; reason: string }).options.find((o) => o.correct)!.id).toBe(c.trueAnswer);
    expect((audit[0].after as { reason: string }).reason).toBe('Đáp án đúng là B');
    const [review] = await db().select().from(questionReviews).where(eq(questionReviews.questionId, c.pool[0].id));
    expect(review).toMatchObject({ kind: 'correction', fromOptionId: keyOf(c.pool[0]), toOptionId: c.trueAnswer });

    // Stale until finalized again; the public winners are withdrawn.
    expect((await req('GET', `/judge/rounds/${c.round.id}/ranking`)).json().stale).toBe(true);
    expect((await req('POST', `/judge/rounds/${c.round.id}/publish`)).json().code).toBe('RESULTS_STALE');
    expect((await req('GET', `/judge/rounds/${c.round.id}/export?format=csv`)).json().code).toBe('RESULTS_STALE');
    const winners = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${c.round.id}/winners` });
    expect(winners.statusCode).toBe(409);
    expect(winners.json().code).toBe('RESULTS_NOT_PUBLISHED');

    const fin2 = (await req('POST', `/judge/rounds/${c.round.id}/finalize`)).json();
    expect(fin2.checksum).not.toBe(fin1.checksum);
    // The prediction target follows the regraded scores: residents 20..39 now have 5/5.
    expect(fin2.actualCount).toBe(20);
    const ranking2 = (await req('GET', `/judge/rounds/${c.round.id}/ranking?limit=5`)).json();
    expect(ranking2.stale).toBe(false);
    expect(ranking2.rows[0].score).toBe(5);
    expect(ranking2.rows.map((r: { userId: string }) => r.userId)).not.toEqual(ranking1.rows.map((r: { userId: string }) => r.userId));
    // Closest prediction to 20 among the 5/5 residents: resident 20.
    expect(ranking2.rows[0].userId).toBe(c.people[20].id);
    expect((await req('POST', `/judge/rounds/${c.round.id}/publish`)).statusCode).toBe(200);

    // The item analysis now counts the question as reviewed and no longer miskeyed.
    const items = (await req('GET', `/admin/rounds/${c.round.id}/item-analysis`)).json() as { questionId: string; flags: string[]; reviewed: boolean }[];
    const q0 = items.find((r) => r.questionId === c.pool[0].id)!;
    expect(q0.reviewed).toBe(true);
    expect(q0.flags).not.toContain('likely_miskeyed');

    // Residents see the regraded score with a note.
    const resident = tokenFor(t.app, { id: c.people[25].id, role: 'resident' });
    const mine = (await req('GET', '/me/attempts', resident)).json();
    expect(mine[0]).toMatchObject({ score: 5, corrected: true });
    const unaffected = await makeResident(db());
    const { round: r2 } = await makeClosedRound(db(), (await makeContest(db())).id, { questionCount: 1 }, 1);
    await makeSubmission(db(), r2, unaffected.id, { score: 1, total: 1, questionIds: [] });
    expect((await req('GET', '/me/attempts', tokenFor(t.app, unaffected))).json()[0].corrected).toBeUndefined();
  });

  it('voids a question: it counts as correct for every attempt that drew it, answered or not', async () => {
    const c = await craftedRound();
    // One resident left pool[0] out.
    const skipper = await makeResident(db());
    await makeSubmission(db(), c.round, skipper.id, { score: 0, total: 5, answers: [], questionIds: c.pool.map((q) => q.id) });
    const res = await req('POST', `/admin/questions/${c.pool[0].id}/correction`, judgeToken, { voided: true, reason: 'Câu hỏi có hai đáp án' });
    expect(res.statusCode).toBe(200);
    expect(res.json().regraded).toBe(41);
    const scores = await storedScores(c.round.id);
    expect(scores).toEqual(await expectedScores(c.round.id));
    const skipperAttempt = (await db().select().from(submissions).where(eq(submissions.userId, skipper.id)))[0];
    expect(skipperAttempt.score).toBe(1);
    // The public answer key says so.
    const key = (await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${c.round.id}/answer-key` })).json() as { questionId: string; voided?: boolean }[];
    expect(key.find((k) => k.questionId === c.pool[0].id)!.voided).toBe(true);
    expect(key.find((k) => k.questionId === c.pool[1].id)!.voided).toBeUndefined();
    // Voiding again is refused; un-voiding with a key is a correction like any other.
    const again = await req('POST', `/admin/questions/${c.pool[0].id}/correction`, judgeToken, { voided: true, reason: 'lại' });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('INVALID_CORRECTION');
    const back = await req('POST', `/admin/questions/${c.pool[0].id}/correction`, judgeToken, { correctOptionId: keyOf(c.pool[0]), reason: 'Giữ đáp án cũ' });
    expect(back.statusCode).toBe(200);
    expect(await storedScores(c.round.id)).toEqual(await expectedScores(c.round.id));
    expect(skipperAttempt.score - 1).toBe((await storedScores(c.round.id)).get(skipperAttempt.attemptId));
  });

  it('refuses a foreign option, the current key, a missing reason, an unknown question and a resident, changing nothing', async () => {
    const c = await craftedRound();
    expect((await req('POST', `/judge/rounds/${c.round.id}/finalize`)).statusCode).toBe(200);
    const before = await snapshot(c);
    const url = `/admin/questions/${c.pool[0].id}/correction`;
    const cases: [number, string | null, object, string?][] = [
      [400, 'INVALID_CORRECTION', { correctOptionId: keyOf(c.pool[1]), reason: 'x' }],
      [400, 'INVALID_CORRECTION', { correctOptionId: keyOf(c.pool[0]), reason: 'x' }],
      [400, null, { correctOptionId: c.trueAnswer }],
      [400, null, { correctOptionId: c.trueAnswer, reason: '   ' }],
      [400, null, { voided: false, reason: 'x' }],
      [400, null, { voided: true, correctOptionId: c.trueAnswer, reason: 'x' }],
      [400, null, {}],
    ];
    for (const [status, code, body] of cases) {
      const res = await req('POST', url, judgeToken, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      if (code) expect(res.json().code).toBe(code);
    }
    expect((await req('POST', `/admin/questions/nope/correction`, judgeToken, { voided: true, reason: 'x' })).statusCode).toBe(404);
    const resident = tokenFor(t.app, await makeResident(db()));
    expect((await req('POST', url, resident, { voided: true, reason: 'x' })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: { voided: true, reason: 'x' } })).statusCode).toBe(401);
    expect((await req('POST', `/admin/questions/${c.pool[0].id}/key-confirmation`, resident, {})).statusCode).toBe(403);
    expect(await snapshot(c)).toEqual(before);
  });
});

describe('settling a correction', () => {
  it('grades again the submissions a process stored with its old copy of the key while the correction committed', async () => {
    const c = await craftedRound();
    const correctedAt = new Date();
    expect(
      (await req('POST', `/admin/questions/${c.pool[0].id}/correction`, judgeToken, { correctOptionId: c.trueAnswer, reason: 'Sai đáp án' })).statusCode,
    ).toBe(200);
    expect((await req('POST', `/judge/rounds/${c.round.id}/finalize`)).statusCode).toBe(200);
    // An in-flight submit, graded with the old key (the true answer scored 0), committed after the regrade.
    const late = await makeResident(db());
    const answers = c.pool.map((q, j) => ({ questionId: q.id, optionId: j === 0 ? c.trueAnswer : keyOf(q) }));
    const { submission } = await makeSubmission(db(), c.round, late.id, {
      score: 4,
      total: 5,
      answers,
      questionIds: c.pool.map((q) => q.id),
      submittedAt: new Date(),
    });
    const before = await storedScores(c.round.id);

    expect(await settleLateSubmissions(db(), c.pool[0].id, correctedAt)).toEqual([c.round.id]);
    const after = await storedScores(c.round.id);
    expect(after.get(submission.attemptId)).toBe(5);
    expect(after).toEqual(await expectedScores(c.round.id));
    expect([...after].filter(([id, s]) => before.get(id) !== s)).toHaveLength(1);
    expect((await req('GET', `/judge/rounds/${c.round.id}/ranking`)).json().stale).toBe(true);
    // Idempotent: nothing left to settle.
    expect(await settleLateSubmissions(db(), c.pool[0].id, correctedAt)).toEqual([]);
  });
});

describe('POST /admin/questions/:questionId/key-confirmation', () => {
  it('records the review (204, audited), and item analysis shows the question reviewed', async () => {
    const c = await craftedRound();
    const before = await storedScores(c.round.id);
    // Analysed (and kept by this process) before the review: the review must show anyway.
    expect((await req('GET', `/admin/rounds/${c.round.id}/item-analysis`)).json()[0]).toMatchObject({ questionId: c.pool[0].id, reviewed: false });
    const res = await req('POST', `/admin/questions/${c.pool[0].id}/key-confirmation`, judgeToken, { reason: 'Đã kiểm tra với tài liệu gốc' });
    expect(res.statusCode).toBe(204);
    expect((await req('POST', `/admin/questions/${c.pool[1].id}/key-confirmation`)).statusCode).toBe(204);
    expect((await req('POST', `/admin/questions/nope/key-confirmation`, judgeToken, {})).statusCode).toBe(404);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, c.pool[0].id), eq(auditLog.action, 'question.confirm_key')));
    expect(audit).toHaveLength(1);
    expect(audit[0].actorId).toBe(judgeId);
    const items = (await req('GET', `/admin/rounds/${c.round.id}/item-analysis`)).json() as { questionId: string; flags: string[]; reviewed: boolean }[];
    const q0 = items.find((r) => r.questionId === c.pool[0].id)!;
    expect(q0).toMatchObject({ reviewed: true, flags: ['likely_miskeyed'] });
    expect(items.find((r) => r.questionId === c.pool[2].id)!.reviewed).toBe(false);
    // A confirmation changes no score, and residents see no correction note.
    expect(await storedScores(c.round.id)).toEqual(before);
    const mine = (await req('GET', '/me/attempts', tokenFor(t.app, { id: c.people[0].id, role: 'resident' }))).json();
    expect(mine[0].corrected).toBeUndefined();
  });
});

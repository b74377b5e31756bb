import { inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { roundQuestions, submissions, type Round } from '../../../db/schema/index';
import { analyzeItems, statsFor } from '../../../server/src/lib/item-analysis';
import { grade, type KeyEntry } from '../../../server/src/lib/scoring';
import { memberToken, useTestApp } from '../../helpers/app';
import { bearer, makeContest, makeQuestions, makeResident } from '../../helpers/factories';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';

const t = useTestApp();
let judgeToken: string;
beforeAll(async () => (judgeToken = await memberToken(t, 'judge')));

// Two rounds share question 0 (a question "used everywhere"); round 1 also has 1 and 2,
// round 2 has 3. Each attempt draws a subset of its round's pool and answers some of it.
const POOLS = [
  [0, 1, 2],
  [0, 3],
];
const attemptArb = fc.record({
  round: fc.constantFrom(0, 1),
  drawMask: fc.integer({ min: 1, max: 7 }),
  // Per drawn question: null = left out, else the option's position (4 options).
  choices: fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { minLength: 3, maxLength: 3 }),
});
const correctionArb = fc.record({
  question: fc.constantFrom(0, 0, 1, 3),
  // null: void; else the option's position (may be the current key: then a 400).
  option: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }),
});
const caseArb = fc.record({
  // Full draw: every attempt draws the whole pool (pool size = questionCount), the regrade's
  // fast path; otherwise attempts draw subsets and the attempts say who drew the question.
  fullDraw: fc.tuple(fc.boolean(), fc.boolean()),
  attempts: fc.array(attemptArb, { minLength: 1, maxLength: 8 }),
  corrections: fc.array(correctionArb, { minLength: 1, maxLength: 4 }),
});

describe('regrade (SQL) against lib/scoring.ts grade', () => {
  it('leaves every submission with the score a fresh grading under the current keys gives', async () => {
    const db = t.database.db;
    await fc.assert(
      fc.asyncProperty(caseArb, async (spec) => {
        const contest = await makeContest(db);
        const qs = await makeQuestions(db, contest.id, 4);
        const rounds: Round[] = [];
        for (const [ri, pool] of POOLS.entries()) {
          const { round } = await makeClosedRound(db, contest.id, { questionCount: spec.fullDraw[ri] ? pool.length : 1 }, 0);
          await db.insert(roundQuestions).values(pool.map((qi, position) => ({ roundId: round.id, questionId: qs[qi].id, position })));
          rounds.push(round);
        }
        // The model: each question's key and void, changed only by accepted corrections.
        const model = qs.map((q) => ({ key: q.options.find((o) => o.correct)!.id, voided: false }));
        const keyFn = (id: string): KeyEntry | undefined => {
          const i = qs.findIndex((q) => q.id === id);
          return i < 0 ? undefined : { optionIds: new Set(qs[i].options.map((o) => o.id)), correctOptionId: model[i].key, voided: model[i].voided };
        };
        const made: { attemptId: string; questionIds: string[]; answers: { questionId: string; optionId: string }[] }[] = [];
        for (const a of spec.attempts) {
          const pool = POOLS[a.round];
          const drawn = spec.fullDraw[a.round] ? [...pool] : pool.filter((_, i) => a.drawMask & (1 << i));
          if (drawn.length === 0) drawn.push(pool[0]);
          const questionIds = drawn.map((qi) => qs[qi].id);
          const answers = drawn.flatMap((qi, i) => (a.choices[i] === null ? [] : [{ questionId: qs[qi].id, optionId: qs[qi].options[a.choices[i]!].id }]));
          const g = grade(questionIds, answers, keyFn);
          if (!g.ok) throw new Error('generated answers do not grade');
          const user = await makeResident(db);
          const { attempt } = await makeSubmission(db, rounds[a.round], user.id, { score: g.score, total: questionIds.length, answers, questionIds });
          made.push({ attemptId: attempt.id, questionIds, answers });
        }

        for (const c of spec.corrections) {
          const q = qs[c.question];
          const m = model[c.question];
          const body = c.option === null ? { voided: true, reason: 'Hủy câu hỏi' } : { correctOptionId: q.options[c.option].id, reason: 'Sửa đáp án' };
          const refused = c.option === null ? m.voided : !m.voided && q.options[c.option].id === m.key;
          const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/questions/${q.id}/correction`, headers: bearer(judgeToken), payload: body });
          expect(res.statusCode).toBe(refused ? 400 : 200);
          if (!refused) {
            if (c.option === null) m.voided = true;
            else {
              m.key = q.options[c.option].id;
              m.voided = false;
            }
            const usedBy = POOLS.flatMap((p, ri) => (p.includes(c.question) ? [rounds[ri].id] : [])).sort();
            expect([...res.json().rounds].sort()).toEqual(usedBy);
            expect(res.json().regraded).toBe(made.filter((x) => x.questionIds.includes(q.id)).length);
          }
          const madeIds = made.map((x) => x.attemptId);
          const stored = await db
            .select({ id: submissions.attemptId, score: submissions.score })
            .from(submissions)
            .where(inArray(submissions.attemptId, madeIds));
          const want = made.map((x) => {
            const g = grade(x.questionIds, x.answers, keyFn);
            return [x.attemptId, g.ok ? g.score : -1] as const;
          });
          expect(new Map(stored.map((s) => [s.id, s.score]))).toEqual(new Map(want));
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe('item analysis (SQL) against lib/item-analysis.ts analyzeItems', () => {
  it('gives the same counts, ratios and flags on random rounds', async () => {
    const db = t.database.db;
    const roundArb = fc.record({
      people: fc.array(
        fc.record({
          drawMask: fc.integer({ min: 0, max: 15 }),
          choices: fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 6 }), { minLength: 4, maxLength: 4 }),
        }),
        { minLength: 0, maxLength: 45 },
      ),
      voided: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(roundArb, async (spec) => {
        const contest = await makeContest(db);
        const { round, pool } = await makeClosedRound(db, contest.id, { questionCount: 4 }, 4);
        if (spec.voided !== null)
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/admin/questions/${pool[spec.voided].id}/correction`,
            headers: bearer(judgeToken),
            payload: { voided: true, reason: 'x' },
          });
        const keyed = pool.map((q, i) => ({ id: q.id, options: q.options, voided: spec.voided === i }));
        const keyFn = (id: string): KeyEntry | undefined => {
          const q = keyed.find((x) => x.id === id);
          return q && { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: q.options.find((o) => o.correct)!.id, voided: q.voided };
        };
        const made = [];
        for (const p of spec.people) {
          const drawn = pool.filter((_, i) => p.drawMask & (1 << i));
          const questionIds = drawn.map((q) => q.id);
          const answers = drawn.flatMap((q, i) => (p.choices[i] === null ? [] : [{ questionId: q.id, optionId: q.options[p.choices[i]!].id }]));
          const g = grade(questionIds, answers, keyFn);
          if (!g.ok) throw new Error('generated answers do not grade');
          const { attempt } = await makeSubmission(db, round, (await makeResident(db)).id, { score: g.score, total: questionIds.length, answers, questionIds });
          made.push({ attemptId: attempt.id, questionIds, answers, score: g.score });
        }
        const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/item-analysis`, headers: bearer(judgeToken) });
        expect(res.statusCode).toBe(200);
        const twin = analyzeItems(keyed, made);
        for (const row of res.json() as {
          questionId: string;
          drawn: number;
          answered: number;
          facility: number | null;
          discrimination: number | null;
          flags: string[];
          voided: boolean;
          options: { optionId: string; chosen: number; chosenTop: number; chosenBottom: number }[];
        }[]) {
          const ref = twin.get(row.questionId)!;
          const stats = statsFor(ref);
          expect(row).toMatchObject({
            drawn: ref.drawn,
            answered: ref.answered,
            facility: stats.facility,
            discrimination: stats.discrimination,
            flags: stats.flags,
          });
          expect(row.voided).toBe(keyed.find((q) => q.id === row.questionId)!.voided);
          expect(row.options.map((o) => [o.optionId, o.chosen, o.chosenTop, o.chosenBottom])).toEqual(
            ref.options.map((o) => [o.optionId, o.chosen, o.chosenTop, o.chosenBottom]),
          );
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

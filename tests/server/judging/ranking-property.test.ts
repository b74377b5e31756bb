import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../db/schema/index';
import { PREDICTION_TARGETS, rankRound, type RankingPerson, type RankingSubmission } from '../../../server/src/lib/ranking';
import { useTestApp, memberToken } from '../../helpers/app';
import { makeContest, makeResident, makeStaff } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makePriorWinners, makeSubmission } from '../../helpers/results-factories';
import { finalize, ranking } from '../../helpers/requests';

const t = useTestApp();
let judgeToken: string;
beforeAll(async () => (judgeToken = await memberToken(t, 'judge')));

const T0 = Date.parse('2026-11-20T03:00:00.000Z');

// Small value ranges on purpose: they make every kind of tie common (equal scores, equal
// errors on both sides of the actual count, equal durations, equal submit times). Now and
// then a prediction at the top of the allowed range (10^8): errors of every size (finalize
// sorts score and error as one number).
const submissionArb = fc.record({
  score: fc.integer({ min: 0, max: 3 }),
  prediction: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 6 }), weight: 8 }, { arbitrary: fc.integer({ min: 99_999_995, max: 100_000_000 }), weight: 1 }),
  durationMs: fc.constantFrom(1000, 2000),
  submittedAtS: fc.integer({ min: 0, max: 2 }),
  idPrefix: fc.constantFrom('a', 'A', 'b', 'Z', '0', '~'),
});
const personArb = fc.record({
  role: fc.constantFrom('resident', 'resident', 'resident', 'resident', 'resident', 'organizer'),
  excludedBy: fc.constantFrom(null, null, null, null, 'nationalId', 'phone'),
  disqualified: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  priorWinner: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  submissions: fc.array(submissionArb, { minLength: 1, maxLength: 3 }),
});
const roundArb = fc.record({
  people: fc.array(personArb, { minLength: 0, maxLength: 8 }),
  target: fc.constantFrom(...PREDICTION_TARGETS),
  onePrizePerPerson: fc.boolean(),
  prizes: fc.array(fc.record({ name: fc.constantFrom('Giải Nhất', 'Giải Nhì', 'Giải Ba', 'Khuyến khích'), count: fc.integer({ min: 1, max: 3 }) }), {
    maxLength: 3,
  }),
});

let idSeq = 0;

describe('finalize (SQL) against lib/ranking.ts', () => {
  it('gives the same actual count, rows and checksum as the TypeScript twin on random rounds', async () => {
    const db = t.database.db;
    await fc.assert(
      fc.asyncProperty(roundArb, async (spec) => {
        const contest = await makeContest(db, { onePrizePerPerson: spec.onePrizePerPerson });
        const { round: earlier } = await makeClosedRound(db, contest.id, { number: 1 }, 0);
        const { round } = await makeClosedRound(db, contest.id, { number: 2, questionCount: 3, predictionTarget: spec.target, prizes: spec.prizes }, 0);

        const people = new Map<string, RankingPerson>();
        const submissions: RankingSubmission[] = [];
        const exclusions: { nationalId: string | null; phone: string | null }[] = [];
        const disqualified = new Map<string, string>();
        const priorWinners: string[] = [];
        for (const p of spec.people) {
          const user: User = p.role === 'resident' ? await makeResident(db) : await makeStaff(db, 'organizer');
          people.set(user.id, {
            userId: user.id,
            role: user.role,
            fullName: user.fullName,
            nationalId: user.nationalId,
            phone: user.phone,
            birthYear: user.birthYear,
            locality: null,
            unit: null,
            category: null,
          });
          if (p.excludedBy) {
            const entry =
              p.excludedBy === 'nationalId' && user.nationalId ? { nationalId: user.nationalId, phone: null } : { nationalId: null, phone: user.phone };
            await makeExclusion(db, contest.id, entry);
            exclusions.push(entry);
          }
          if (p.disqualified) {
            await makeDisqualification(db, round.id, user.id, 'Vi phạm quy chế');
            disqualified.set(user.id, 'Vi phạm quy chế');
          }
          if (p.priorWinner) priorWinners.push(user.id);
          for (const s of p.submissions) {
            const { attempt, submission } = await makeSubmission(db, round, user.id, {
              score: s.score,
              total: 3,
              prediction: s.prediction,
              durationMs: s.durationMs,
              submittedAt: new Date(T0 + s.submittedAtS * 1000),
              attemptId: `${s.idPrefix}${String(++idSeq).padStart(6, '0')}`,
            });
            submissions.push({ ...submission, attemptNo: attempt.attemptNo });
          }
        }
        await makePriorWinners(db, earlier, priorWinners);

        const expected = rankRound({
          target: spec.target,
          prizes: spec.prizes,
          priorWinners: new Set(spec.onePrizePerPerson ? priorWinners : []),
          exclusions,
          disqualified,
          people,
          submissions,
        });

        const fin = await finalize(t.app, round.id, judgeToken);
        expect(fin.statusCode).toBe(200);
        const got = fin.json();
        const ranked = (await ranking(t.app, round.id, judgeToken, '?limit=1000')).json();
        const pick = (r: Record<string, unknown>) => [
          r.position,
          r.rank,
          r.prize,
          r.userId,
          r.attemptId,
          r.attemptNo,
          r.predictionError,
          r.eligible,
          r.ineligibleReason ?? null,
        ];
        expect(ranked.rows.map(pick)).toEqual(expected.rows.map((r) => pick(r as unknown as Record<string, unknown>)));
        expect(got).toMatchObject({
          actualCount: expected.actualCount,
          participants: expected.participants,
          ranked: expected.ranked,
          checksum: expected.checksum,
        });
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

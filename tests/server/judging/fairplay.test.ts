import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rounds, type Round, type StoredAnswer } from '../../../db/schema/index';
import { fairplayFlags, type FairplaySubmission } from '../../../server/src/lib/fairplay';
import { memberToken, useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';
import { checksumOfServedRows } from '../../helpers/requests';

const t = useTestApp();
let judgeToken: string;
beforeAll(async () => (judgeToken = await memberToken(t, 'judge')));

const db = () => t.database.db;

interface Row {
  position: number;
  rank: number | null;
  prize: string | null;
  userId: string;
  attemptId: string;
  flags: string[];
  [k: string]: unknown;
}

async function finalizedRows(round: Round): Promise<{ checksum: string; rows: Row[] }> {
  const fin = await t.app.inject({ method: 'POST', url: `/api/v1/judge/rounds/${round.id}/finalize`, headers: bearer(judgeToken) });
  expect(fin.statusCode).toBe(200);
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${round.id}/ranking?limit=1000`, headers: bearer(judgeToken) });
  expect(res.statusCode).toBe(200);
  return { checksum: fin.json().checksum, rows: res.json().rows };
}

async function closedRound(over: Partial<Round> = {}) {
  const contest = await makeContest(db(), { onePrizePerPerson: false });
  const { round } = await makeClosedRound(db(), contest.id, {
    questionCount: 5,
    prizes: [
      { name: 'Giải Nhất', count: 1 },
      { name: 'Giải Nhì', count: 2 },
    ],
    ...over,
  });
  return round;
}

const pairs = (...p: [number, string][]): StoredAnswer[] => p.map(([q, o]) => ({ questionId: `q${q}`, optionId: o }));
const SET = pairs([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'a']);
/** The same answers, sent in another order. */
const rotated = (k: number) => [...SET.slice(k), ...SET.slice(0, k)];
/** The k-th of the 120 orders of SET (k < 120). */
function permutation(k: number): StoredAnswer[] {
  const left = [...SET];
  const out: StoredAnswer[] = [];
  for (let size = left.length; size > 0; size--) {
    const f = [1, 1, 2, 6, 24][size - 1];
    out.push(...left.splice(Math.floor(k / f) % size, 1));
    k %= f;
  }
  return out;
}

describe('fair-play flags in GET /judge/rounds/:roundId/ranking', () => {
  it('flags an attempt under the default 1500 ms a question, and not one at or above it', async () => {
    const round = await closedRound();
    const [fast, boundary, slow] = await Promise.all([1, 2, 3].map(() => makeResident(db())));
    await makeSubmission(db(), round, fast.id, { score: 5, durationMs: 7_499 });
    await makeSubmission(db(), round, boundary.id, { score: 4, durationMs: 7_500 });
    await makeSubmission(db(), round, slow.id, { score: 3, durationMs: 7_501 });
    const { rows } = await finalizedRows(round);
    expect(rows.map((r) => [r.userId, r.flags])).toEqual([
      [fast.id, ['too_fast']],
      [boundary.id, []],
      [slow.id, []],
    ]);
  });

  it("uses the round's own minMsPerQuestion", async () => {
    const round = await closedRound({ minMsPerQuestion: 4000 });
    const [a, b] = await Promise.all([1, 2].map(() => makeResident(db())));
    await makeSubmission(db(), round, a.id, { score: 5, durationMs: 19_999 });
    await makeSubmission(db(), round, b.id, { score: 4, durationMs: 20_000 });
    const { rows } = await finalizedRows(round);
    expect(rows.map((r) => r.flags)).toEqual([['too_fast'], []]);
  });

  it('flags the same answers in the same order across accounts, not in another order, nor the same account twice', async () => {
    const round = await closedRound();
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => makeResident(db())));
    await makeSubmission(db(), round, a.id, { score: 4, prediction: 10, answers: SET });
    await makeSubmission(db(), round, b.id, { score: 4, prediction: 500, answers: SET });
    await makeSubmission(db(), round, c.id, { score: 3, prediction: 900, answers: rotated(1) });
    // d sends one list twice (two attempts): its best attempt is the one ranked.
    await makeSubmission(db(), round, d.id, { score: 2, prediction: 3000, answers: rotated(2) });
    await makeSubmission(db(), round, d.id, { score: 1, prediction: 3000, answers: rotated(2) });
    const { rows } = await finalizedRows(round);
    expect(rows.map((r) => [r.userId, r.flags])).toEqual([
      [a.id, ['same_answers_same_order']],
      [b.id, ['same_answers_same_order']],
      [c.id, []],
      [d.id, []],
    ]);
  });

  it('does not compare answer lists shorter than 5', async () => {
    const round = await closedRound();
    const [a, b] = await Promise.all([1, 2].map(() => makeResident(db())));
    await makeSubmission(db(), round, a.id, { score: 4, prediction: 1, answers: SET.slice(0, 4) });
    await makeSubmission(db(), round, b.id, { score: 4, prediction: 1, answers: SET.slice(0, 4) });
    const { rows } = await finalizedRows(round);
    expect(rows.map((r) => r.flags)).toEqual([[], []]);
  });

  it('flags three accounts with one answer set and predictions within 1%, and none when one is just outside', async () => {
    const round = await closedRound();
    const farm = await Promise.all([1, 2, 3].map(() => makeResident(db())));
    // 10 000, 10 050, 10 101: 101 apart, 1% of 10 101 is 101.01.
    for (const [i, p] of [10_000, 10_050, 10_101].entries())
      await makeSubmission(db(), round, farm[i].id, { score: 4, prediction: p, answers: rotated(i + 1) });
    const { rows } = await finalizedRows(round);
    expect(rows.map((r) => r.flags)).toEqual([['answer_farm'], ['answer_farm'], ['answer_farm']]);

    const nearMiss = await closedRound();
    const others = await Promise.all([1, 2, 3].map(() => makeResident(db())));
    // 10 000 .. 10 102: 102 apart, over 1% of 10 102 (101.02).
    for (const [i, p] of [10_000, 10_050, 10_102].entries())
      await makeSubmission(db(), nearMiss, others[i].id, { score: 4, prediction: p, answers: rotated(i + 1) });
    expect((await finalizedRows(nearMiss)).rows.map((r) => r.flags)).toEqual([[], [], []]);
  });

  it('flags the same set and a near prediction from one device (one other account) or one address (two others), also in a crowded address', async () => {
    const round = await closedRound();
    const flagsOf = new Map<string, string[]>();
    let n = 0;
    const send = async (prediction: number, where: { clientIp?: string; deviceId?: string }, expected: string[]) => {
      const user = await makeResident(db());
      // Each account its own order of the one answer set: never the same answers in the same order.
      await makeSubmission(db(), round, user.id, { score: 4, prediction, answers: permutation(n++), ...where });
      flagsOf.set(user.id, expected);
    };
    // One device, two accounts, near predictions (60 apart, 1% of 7 060 is 70.6): both flagged.
    await send(7_000, { deviceId: 'device-pair-01' }, ['same_device_or_address']);
    await send(7_060, { deviceId: 'device-pair-01' }, ['same_device_or_address']);
    // One device, predictions far apart: not flagged.
    await send(20_000, { deviceId: 'device-far-001' }, []);
    await send(30_000, { deviceId: 'device-far-001' }, []);
    // A crowded address (a carrier's): 40 accounts with predictions 5 000 apart, none flagged;
    // two near each other (1% of 300 500 is 3 005), not flagged: one other is not enough for
    // an address; three near each other (1% of 50 400 is 504), flagged (and a farm).
    for (let i = 0; i < 40; i++) await send(100_000 + 5_000 * i, { clientIp: '203.0.113.9' }, []);
    for (const p of [300_000, 300_500]) await send(p, { clientIp: '203.0.113.9' }, []);
    for (const p of [50_000, 50_100, 50_400]) await send(p, { clientIp: '203.0.113.9' }, ['answer_farm', 'same_device_or_address']);
    // An address with exactly three accounts, near each other: flagged (and a farm).
    for (const p of [60_000, 60_100, 60_200]) await send(p, { clientIp: '203.0.113.10' }, ['answer_farm', 'same_device_or_address']);
    const { rows } = await finalizedRows(round);
    expect(rows).toHaveLength(flagsOf.size);
    expect(Object.fromEntries(rows.map((r) => [r.userId, r.flags]))).toEqual(Object.fromEntries(flagsOf));
  });

  it('leaves a set with every answer right out of same_answers_same_order, answer_farm and the address signal, not the device signal', async () => {
    const round = await closedRound();
    const flagsOf = new Map<string, string[]>();
    let n = 0;
    const send = async (prediction: number, score: number, where: { clientIp?: string; deviceId?: string }, expected: string[], answers = permutation(n++)) => {
      const user = await makeResident(db());
      await makeSubmission(db(), round, user.id, { score, prediction, answers, ...where });
      flagsOf.set(user.id, expected);
    };
    // Winners of a round whose attempts share their questions: all right (5 of 5), predicting
    // close to the actual count and to each other, some from one office's address: no flag.
    for (const p of [10_000, 10_020, 10_050, 10_080]) await send(p, 5, { clientIp: '203.0.113.20' }, []);
    // Two of them served their questions in the same order (the server shuffles: chance, or a
    // round that draws few questions): no flag either.
    for (const p of [30_000, 40_000]) await send(p, 5, {}, [], rotated(2));
    // All right on one device, two accounts: still flagged (a phone is one person's).
    for (const p of [20_000, 20_010]) await send(p, 5, { deviceId: 'device-perfect-1' }, ['same_device_or_address']);
    const { rows } = await finalizedRows(round);
    expect(Object.fromEntries(rows.map((r) => [r.userId, r.flags]))).toEqual(Object.fromEntries(flagsOf));

    // The same with a wrong answer in it (4 of 5 for the same set, which the factory allows):
    // a farm, and behind one address.
    const copied = await closedRound();
    const users = await Promise.all([1, 2, 3].map(() => makeResident(db())));
    for (const [i, p] of [10_000, 10_020, 10_050].entries())
      await makeSubmission(db(), copied, users[i].id, { score: 4, prediction: p, answers: permutation(i), clientIp: '203.0.113.21' });
    expect((await finalizedRows(copied)).rows.map((r) => r.flags)).toEqual([
      ['answer_farm', 'same_device_or_address'],
      ['answer_farm', 'same_device_or_address'],
      ['answer_farm', 'same_device_or_address'],
    ]);
  });

  it('never changes the order, the ranks, the prizes or the checksum', async () => {
    const round = await closedRound();
    const people = await Promise.all([1, 2, 3, 4].map(() => makeResident(db())));
    // The best score is too fast and in a farm: it still ranks first and takes the first prize.
    for (const [i, p] of people.entries())
      await makeSubmission(db(), round, p.id, {
        // Below 5 of 5: a set with every answer right is never a farm.
        score: 4 - i,
        prediction: 40 + (i % 3),
        durationMs: i === 0 ? 1000 : 60_000,
        answers: i < 3 ? rotated(i) : SET.slice(0, 3),
      });
    const { checksum, rows } = await finalizedRows(round);
    expect(rows.map((r) => [r.userId, r.rank, r.prize, r.flags])).toEqual([
      [people[0].id, 1, 'Giải Nhất', ['too_fast', 'answer_farm']],
      [people[1].id, 2, 'Giải Nhì', ['answer_farm']],
      [people[2].id, 3, 'Giải Nhì', ['answer_farm']],
      [people[3].id, 4, null, []],
    ]);
    // The checksum is that of the canonical columns alone.
    const recomputed = checksumOfServedRows(rows);
    expect(recomputed).toBe(checksum);
  });

  it('finalized again with only the flags changed (same checksum), stores the new flags', async () => {
    const round = await closedRound({ minMsPerQuestion: 4000 });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => makeResident(db())));
    await makeSubmission(db(), round, a.id, { score: 5, durationMs: 10_000 });
    await makeSubmission(db(), round, b.id, { score: 4, durationMs: 15_000 });
    await makeSubmission(db(), round, c.id, { score: 3, durationMs: 30_000 });
    const first = await finalizedRows(round);
    expect(first.rows.map((r) => r.flags)).toEqual([['too_fast'], ['too_fast'], []]);
    // The threshold moves: b is no longer too fast, c is; the ranking itself does not change.
    for (const [ms, expected] of [
      [2500, [['too_fast'], [], []]],
      [7000, [['too_fast'], ['too_fast'], ['too_fast']]],
      [7000, [['too_fast'], ['too_fast'], ['too_fast']]],
      [1000, [[], [], []]],
    ] as const) {
      await db().update(rounds).set({ minMsPerQuestion: ms }).where(eq(rounds.id, round.id));
      const again = await finalizedRows(round);
      expect(again.checksum).toBe(first.checksum);
      expect(again.rows.map((r) => r.flags)).toEqual(expected);
      expect(again.rows.map(({ flags: _f, ...rest }) => rest)).toEqual(first.rows.map(({ flags: _f, ...rest }) => rest));
    }
  });
});

describe('minMsPerQuestion in the round JSON', () => {
  it('is set on create, shown on the round, changed and cleared by PATCH, and refused out of range', async () => {
    const contest = await makeContest(db());
    const organizerUser = await makeStaff(db(), 'organizer');
    await addMember(db(), contest.id, organizerUser);
    const organizer = tokenFor(t.app, organizerUser);
    const base = { number: 1, opensAt: '2030-01-01T00:00:00.000Z', closesAt: '2030-01-08T00:00:00.000Z', questionCount: 1 };
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/contests/${contest.id}/rounds`,
      headers: bearer(organizer),
      payload: { ...base, minMsPerQuestion: 3000 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().minMsPerQuestion).toBe(3000);
    const id = created.json().id;
    const patch = (body: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/admin/rounds/${id}`, headers: bearer(organizer), payload: body });
    expect((await patch({ minMsPerQuestion: 2000 })).json().minMsPerQuestion).toBe(2000);
    expect((await patch({ minMsPerQuestion: null })).json().minMsPerQuestion).toBeNull();
    const bad = await patch({ minMsPerQuestion: -1 });
    expect(bad.statusCode).toBe(400);
    expect((await patch({ minMsPerQuestion: 600_001 })).statusCode).toBe(400);
    expect((await patch({ title: 'Tuần 1' })).json().minMsPerQuestion).toBeNull();
    await patch({ minMsPerQuestion: 2500 });
    // Staff see it; the public contest page does not (a bot would pace itself just above it).
    const adminView = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${contest.id}`, headers: bearer(organizer) });
    expect(adminView.json().rounds[0].minMsPerQuestion).toBe(2500);
    const publicView = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${contest.id}` });
    expect(publicView.json().rounds[0]).not.toHaveProperty('minMsPerQuestion');
  });
});

// Small alphabets on purpose: shared orders, shared sets and near predictions are common.
const ORDERS = [
  [0, 1, 2, 3, 4],
  [4, 3, 2, 1, 0],
  [2, 0, 4, 1, 3],
];
const submissionArb = fc.record({
  order: fc.integer({ min: 0, max: ORDERS.length - 1 }),
  options: fc.constantFrom('abbab', 'abbab', 'bbbba'),
  length: fc.constantFrom(5, 5, 5, 4, 0),
  // Windows of near-identical predictions: 100..102 and 101..103 (±2), 10 000..10 101 (1%).
  prediction: fc.constantFrom(0, 100, 101, 102, 103, 104, 10_000, 10_050, 10_101, 10_102),
  durationMs: fc.constantFrom(7_499, 7_500, 60_000),
  // 5 of 5 often: every answer right is left out of answer_farm and the address signal.
  score: fc.constantFrom(0, 3, 4, 5, 5),
  clientIp: fc.constantFrom(null, '198.51.100.1', '198.51.100.2'),
  deviceId: fc.constantFrom(null, 'device-aaaa', 'device-bbbb'),
});
const roundArb = fc.record({
  people: fc.array(fc.array(submissionArb, { minLength: 1, maxLength: 2 }), { minLength: 0, maxLength: 10 }),
  minMsPerQuestion: fc.constantFrom(null, 1500, 0, 12_000),
});

describe('finalize flags (SQL) against lib/fairplay.ts', () => {
  it("gives each row the flags the TypeScript twin gives the row's attempt among the rows' attempts", async () => {
    await fc.assert(
      fc.asyncProperty(roundArb, async (spec) => {
        const round = await closedRound({ minMsPerQuestion: spec.minMsPerQuestion });
        const byAttempt = new Map<string, FairplaySubmission>();
        for (const subs of spec.people) {
          const user = await makeResident(db());
          for (const s of subs) {
            const answers = ORDERS[s.order].map((q) => ({ questionId: `q${q}`, optionId: s.options[q] })).slice(0, s.length);
            const { submission } = await makeSubmission(db(), round, user.id, {
              score: s.score,
              prediction: s.prediction,
              durationMs: s.durationMs,
              answers,
              clientIp: s.clientIp,
              deviceId: s.deviceId,
            });
            byAttempt.set(submission.attemptId, { ...submission, answers });
          }
        }
        const { rows } = await finalizedRows(round);
        const expected = fairplayFlags(
          rows.map((r) => byAttempt.get(r.attemptId)!),
          spec.minMsPerQuestion,
        );
        expect(rows.map((r) => [r.attemptId, r.flags])).toEqual(rows.map((r) => [r.attemptId, expected.get(r.attemptId)]));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

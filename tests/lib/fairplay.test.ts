import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIN_MS_PER_QUESTION,
  fairplayFlags,
  isTooFast,
  predictionsNear,
  setKey,
  sequenceKey,
  type FairplayAnswer,
  type FairplaySubmission,
} from '../../server/src/lib/fairplay';
import { isAllCorrect } from '../../server/src/lib/ranking';

const answers = (...pairs: [number, string][]): FairplayAnswer[] => pairs.map(([q, o]) => ({ questionId: `q${q}`, optionId: o }));
const FIVE = answers([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'a']);
const FIVE_SHUFFLED = answers([3, 'c'], [1, 'a'], [5, 'a'], [2, 'b'], [4, 'd']);
/** The same answers, sent in another order (k = 1..4). */
const rotated = (k: number) => [...FIVE.slice(k), ...FIVE.slice(0, k)];

let seq = 0;
const sub = (userId: string, over: Partial<FairplaySubmission> = {}): FairplaySubmission => ({
  attemptId: `att-${++seq}`,
  userId,
  answers: [],
  prediction: 100,
  durationMs: 600_000,
  // Some answers wrong unless a test says otherwise (isAllCorrect).
  score: 12,
  total: 20,
  ...over,
});
const flagsOf = (subs: FairplaySubmission[], min: number | null = null) => {
  const m = fairplayFlags(subs, min);
  return subs.map((s) => m.get(s.attemptId));
};

describe('too_fast', () => {
  it('fires below the minimum per question and not at it or above', () => {
    // 20 questions at 1500 ms: 30 000 ms is the boundary.
    expect(isTooFast(29_999, 20, 1500)).toBe(true);
    expect(isTooFast(30_000, 20, 1500)).toBe(false);
    expect(isTooFast(30_001, 20, 1500)).toBe(false);
    expect(isTooFast(0, 0, 1500)).toBe(false);
  });

  it('uses the round minimum, or 1500 ms a question when the round has none', () => {
    expect(DEFAULT_MIN_MS_PER_QUESTION).toBe(1500);
    const quick = sub('u1', { durationMs: 29_999 });
    const ok = sub('u2', { durationMs: 30_000 });
    expect(flagsOf([quick, ok])).toEqual([['too_fast'], []]);
    // A round that sets 3 s a question flags both; one that sets 0 flags none.
    expect(flagsOf([quick, ok], 3000)).toEqual([['too_fast'], ['too_fast']]);
    expect(flagsOf([quick, ok], 0)).toEqual([[], []]);
  });
});

describe('same_answers_same_order', () => {
  it('fires for two accounts with the same answers in the same order', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 100 }),
      sub('u2', { answers: FIVE, prediction: 500 }),
      sub('u3', { answers: FIVE_SHUFFLED, prediction: 900 }),
    ];
    expect(flagsOf(subs)).toEqual([['same_answers_same_order'], ['same_answers_same_order'], []]);
  });

  it('does not fire for the same answers in another order, one answer apart, one account, or fewer than 5 answers', () => {
    const oneApart = answers([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'b']);
    expect(flagsOf([sub('u1', { answers: FIVE }), sub('u2', { answers: FIVE_SHUFFLED }), sub('u3', { answers: oneApart })])).toEqual([[], [], []]);
    // The same account twice is not two accounts.
    expect(flagsOf([sub('u1', { answers: FIVE }), sub('u1', { answers: FIVE })])).toEqual([[], []]);
    const four = FIVE.slice(0, 4);
    expect(flagsOf([sub('u1', { answers: four }), sub('u2', { answers: four }), sub('u3', { answers: [] }), sub('u4', { answers: [] })])).toEqual([
      [],
      [],
      [],
      [],
    ]);
  });

  it('does not fire for a set with every answer right, served in the same order (the server shuffles: chance)', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 100, score: 20 }),
      sub('u2', { answers: FIVE, prediction: 500, score: 20 }),
      sub('u3', { answers: FIVE, prediction: 900 }),
    ];
    expect(flagsOf(subs)).toEqual([[], [], []]);
    // One all right, one not (another total: the same pairs of a longer attempt): only the
    // sets with a wrong answer are compared, and one account alone is no pair.
    expect(flagsOf([sub('u1', { answers: FIVE, score: 5, total: 5 }), sub('u2', { answers: FIVE, score: 5, total: 6 })])).toEqual([[], []]);
  });

  it('keys the order but not the set on the order sent', () => {
    expect(sequenceKey(FIVE)).not.toBe(sequenceKey(FIVE_SHUFFLED));
    expect(setKey(FIVE)).toBe(setKey(FIVE_SHUFFLED));
  });
});

describe('answer_farm', () => {
  it('treats predictions within 1% or 2, whichever is larger, as near-identical', () => {
    expect(predictionsNear(100, 102)).toBe(true);
    expect(predictionsNear(100, 103)).toBe(false);
    expect(predictionsNear(0, 2)).toBe(true);
    // 1% of the larger: 10 000 and 10 100 are 100 apart, 1% of 10 100 is 101.
    expect(predictionsNear(10_000, 10_100)).toBe(true);
    expect(predictionsNear(10_100, 10_000)).toBe(true);
    // 9 900 and 10 001: 101 apart, 1% of 10 001 is 100.01.
    expect(predictionsNear(9_900, 10_001)).toBe(false);
  });

  it('fires for three accounts with the same answer set, in any order, and near-identical predictions', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 10_000 }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 10_050 }),
      sub('u3', { answers: [...FIVE].reverse(), prediction: 10_100 }),
    ];
    expect(flagsOf(subs)).toEqual([['answer_farm'], ['answer_farm'], ['answer_farm']]);
  });

  it('does not fire with a prediction just outside the tolerance, two accounts, or one answer apart', () => {
    // 10 000 .. 10 102: 102 apart, 1% of 10 102 is 101.02.
    const outside = [
      sub('u1', { answers: FIVE, prediction: 10_000 }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 10_050 }),
      sub('u3', { answers: [...FIVE].reverse(), prediction: 10_102 }),
    ];
    expect(flagsOf(outside)).toEqual([[], [], []]);
    const twoAccounts = [
      sub('u1', { answers: FIVE, prediction: 50 }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 50 }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 50 }),
    ];
    expect(flagsOf(twoAccounts)).toEqual([[], [], []]);
    const oneApart = [
      sub('u1', { answers: FIVE, prediction: 50 }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 50 }),
      sub('u3', { answers: answers([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'b']), prediction: 50 }),
    ];
    expect(flagsOf(oneApart)).toEqual([[], [], []]);
  });

  it('flags only the accounts inside a tight window, not the rest of the answer set', () => {
    const subs = [
      sub('u1', { answers: rotated(1), prediction: 100 }),
      sub('u2', { answers: rotated(2), prediction: 101 }),
      sub('u3', { answers: rotated(3), prediction: 102 }),
      // 104 is near 102 only (3 from 101): no three near-identical predictions include it.
      sub('u4', { answers: rotated(4), prediction: 104 }),
      sub('u5', { answers: FIVE, prediction: 500 }),
    ];
    expect(flagsOf(subs)).toEqual([['answer_farm'], ['answer_farm'], ['answer_farm'], [], []]);
  });

  it('leaves out sets with every answer right: the prize winners of a round whose attempts share their questions', () => {
    expect([isAllCorrect({ score: 20, total: 20 }), isAllCorrect({ score: 19, total: 20 })]).toEqual([true, false]);
    // The winners predict close to the actual count, so close to each other: no farm for that.
    const winners = [10_000, 10_050, 10_100, 10_101].map((p, i) => sub(`w${i}`, { answers: rotated(i + 1), prediction: p, score: 20 }));
    expect(flagsOf(winners)).toEqual([[], [], [], []]);
    // The same set with a wrong answer in it (score 19): a farm, as before.
    const copied = [10_000, 10_050, 10_100].map((p, i) => sub(`c${i}`, { answers: rotated(i + 1), prediction: p, score: 19 }));
    expect(flagsOf(copied)).toEqual([['answer_farm'], ['answer_farm'], ['answer_farm']]);
    // One all-right row neither counts for the others nor is flagged with them.
    const mixed = [
      sub('m1', { answers: rotated(1), prediction: 500, score: 19 }),
      sub('m2', { answers: rotated(2), prediction: 501, score: 19 }),
      sub('m3', { answers: rotated(3), prediction: 502, score: 20 }),
    ];
    expect(flagsOf(mixed)).toEqual([[], [], []]);
  });

  it('lists the flags in a fixed order', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 7, durationMs: 1000 }),
      sub('u2', { answers: FIVE, prediction: 7 }),
      sub('u3', { answers: FIVE, prediction: 8 }),
    ];
    const [first] = flagsOf(subs);
    expect(first).toEqual(['too_fast', 'same_answers_same_order', 'answer_farm']);
  });
});

describe('same_device_or_address', () => {
  it('fires for two accounts on one device with the same answer set and near predictions', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 300, deviceId: 'dev-aaaa-1111' }),
      sub('u2', { answers: FIVE_SHUFFLED, prediction: 302, deviceId: 'dev-aaaa-1111' }),
      sub('u3', { answers: rotated(2), prediction: 302, deviceId: 'dev-bbbb-2222' }),
    ];
    // u3 shares the set and a near prediction but not the device (three such accounts are a farm too).
    expect(flagsOf(subs)).toEqual([['answer_farm', 'same_device_or_address'], ['answer_farm', 'same_device_or_address'], ['answer_farm']]);
  });

  it('needs three accounts behind one address, not two', () => {
    const two = [
      sub('u1', { answers: FIVE, prediction: 40, clientIp: '203.0.113.9' }),
      sub('u2', { answers: rotated(1), prediction: 40, clientIp: '203.0.113.9' }),
    ];
    expect(flagsOf(two)).toEqual([[], []]);
    const three = [...two, sub('u3', { answers: rotated(2), prediction: 41, clientIp: '203.0.113.9' })];
    expect(flagsOf(three)).toEqual([
      ['answer_farm', 'same_device_or_address'],
      ['answer_farm', 'same_device_or_address'],
      ['answer_farm', 'same_device_or_address'],
    ]);
  });

  it('keeps every answer right on one device, not behind one address (an office that knows the answers)', () => {
    const device = [
      sub('d1', { answers: FIVE, prediction: 300, deviceId: 'dev-cccc-3333', score: 20 }),
      sub('d2', { answers: FIVE_SHUFFLED, prediction: 301, deviceId: 'dev-cccc-3333', score: 20 }),
    ];
    expect(flagsOf(device)).toEqual([['same_device_or_address'], ['same_device_or_address']]);
    const office = [40, 40, 41].map((p, i) => sub(`o${i}`, { answers: rotated(i + 1), prediction: p, clientIp: '203.0.113.7', score: 20 }));
    expect(flagsOf(office)).toEqual([[], [], []]);
    // Two all-right accounts do not make up the two others a third account needs.
    const withOneWrong = [...office.slice(0, 2), sub('o9', { answers: rotated(3), prediction: 41, clientIp: '203.0.113.7', score: 19 })];
    expect(flagsOf(withOneWrong)).toEqual([[], [], []]);
  });

  it('does not fire across devices, with a far prediction, with one answer apart, or for one account', () => {
    const subs = [
      sub('u1', { answers: FIVE, prediction: 300, deviceId: 'dev-aaaa-1111' }),
      sub('u2', { answers: FIVE, prediction: 900, deviceId: 'dev-aaaa-1111' }),
      sub('u3', { answers: answers([1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'b']), prediction: 300, deviceId: 'dev-aaaa-1111' }),
      sub('u4', { answers: FIVE, prediction: 300, deviceId: null }),
      sub('u1', { answers: FIVE, prediction: 300, deviceId: 'dev-aaaa-1111' }),
    ];
    expect(flagsOf(subs).map((f) => f!.includes('same_device_or_address'))).toEqual([false, false, false, false, false]);
  });
});

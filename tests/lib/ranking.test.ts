import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalLine,
  checksumOf,
  compareAttempts,
  ineligibleReason,
  PREDICTION_TARGETS,
  prizeFor,
  rankRound,
  type RankingPerson,
  type RankingSubmission,
} from '../../server/src/lib/ranking';

const person = (userId: string, over: Partial<RankingPerson> = {}): RankingPerson => ({
  userId,
  role: 'resident',
  fullName: `Người ${userId}`,
  nationalId: `0380900000${userId.padStart(2, '0').slice(-2)}`,
  phone: `09120000${userId.padStart(2, '0').slice(-2)}`,
  birthYear: 1990,
  locality: null,
  unit: null,
  category: null,
  ...over,
});

const sub = (userId: string, attemptId: string, over: Partial<RankingSubmission> = {}): RankingSubmission => ({
  attemptId,
  userId,
  attemptNo: 1,
  score: 1,
  total: 1,
  prediction: 0,
  durationMs: 1000,
  submittedAt: new Date('2026-11-20T03:00:00.000Z'),
  ...over,
});

describe('prizeFor', () => {
  it('walks down the tiers by count and gives null past the last', () => {
    const prizes = [
      { name: 'Nhất', count: 1 },
      { name: 'Nhì', count: 2 },
    ];
    expect([1, 2, 3, 4].map((n) => prizeFor(n, prizes))).toEqual(['Nhất', 'Nhì', 'Nhì', null]);
    expect(prizeFor(1, [])).toBeNull();
  });
});

describe('ineligibleReason', () => {
  it('gives one reason, not-resident before excluded before disqualified', () => {
    const p = person('1');
    expect(ineligibleReason(p, [], undefined)).toBeNull();
    expect(ineligibleReason({ ...p, role: 'judge' }, [{ nationalId: p.nationalId, phone: null }], 'x')).toBe('not_resident');
    expect(ineligibleReason(p, [{ nationalId: null, phone: p.phone }], 'x')).toBe('excluded');
    expect(ineligibleReason(p, [{ nationalId: p.nationalId, phone: null }], undefined)).toBe('excluded');
    expect(ineligibleReason(p, [{ nationalId: null, phone: '0999999999' }], 'Gian lận')).toBe('disqualified: Gian lận');
  });
});

describe('compareAttempts', () => {
  it('treats errors above and below the actual count alike', () => {
    const above = sub('1', 'b', { prediction: 12 });
    const below = sub('2', 'a', { prediction: 8 });
    // Same error 2: the tie goes down the chain to attemptId.
    expect(compareAttempts(below, above, 10)).toBeLessThan(0);
    expect(compareAttempts(above, below, 10)).toBeGreaterThan(0);
  });
});

describe('canonicalLine and checksumOf', () => {
  it('escapes backslash, tab and line breaks, and writes null as empty', () => {
    const { rows } = rankRound({
      target: 'entries',
      prizes: [{ name: 'A\tB', count: 1 }],
      priorWinners: new Set(),
      exclusions: [],
      disqualified: new Map(),
      people: new Map([['u', person('u', { fullName: 'Lê\\Văn\nAn', category: null })]]),
      submissions: [sub('u', 'x1')],
    });
    const line = canonicalLine(rows[0]);
    expect(line).toBe(
      [
        '1',
        '1',
        'A\\tB',
        'u',
        'Lê\\\\Văn\\nAn',
        rows[0].nationalId,
        rows[0].phone,
        '1990',
        '',
        '',
        '',
        'x1',
        '1',
        '1',
        '1',
        '0',
        '1',
        '1000',
        '2026-11-20T03:00:00.000Z',
        'true',
        '',
      ].join('\t') + '\n',
    );
    expect(checksumOf(rows)).toBe(createHash('sha256').update(line, 'utf8').digest('hex'));
  });
});

const arb = fc.record({
  target: fc.constantFrom(...PREDICTION_TARGETS),
  prizes: fc.array(fc.record({ name: fc.constantFrom('Nhất', 'Nhì', 'Ba'), count: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
  subs: fc.array(
    fc.record({
      user: fc.integer({ min: 1, max: 6 }).map(String),
      score: fc.integer({ min: 0, max: 2 }),
      prediction: fc.integer({ min: 0, max: 4 }),
      durationMs: fc.constantFrom(1, 2),
    }),
    { maxLength: 15 },
  ),
  excluded: fc.subarray(['1', '2', '3', '4', '5', '6']),
  prior: fc.subarray(['1', '2', '3', '4', '5', '6']),
});

describe('rankRound invariants', () => {
  it('ranks each person once, orders by the chain, ranks 1..n down the eligible rows and gives out at most the prizes', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const people = new Map(['1', '2', '3', '4', '5', '6'].map((u) => [u, person(u)]));
        const submissions = a.subs.map((s, i) => sub(s.user, `id${String(i).padStart(3, '0')}`, { ...s, total: 2 }));
        const excluded = new Set(a.excluded);
        const r = rankRound({
          target: a.target,
          prizes: a.prizes,
          priorWinners: new Set(a.prior),
          exclusions: a.excluded.map((u) => ({ nationalId: people.get(u)!.nationalId, phone: null })),
          disqualified: new Map(),
          people,
          submissions,
        });
        expect(new Set(r.rows.map((x) => x.userId)).size).toBe(r.rows.length);
        expect(r.rows.length).toBe(new Set(submissions.map((s) => s.userId)).size);
        for (let i = 1; i < r.rows.length; i++) expect(compareAttempts(r.rows[i - 1], r.rows[i], r.actualCount)).toBeLessThan(0);
        const eligible = r.rows.filter((x) => x.eligible);
        expect(eligible.map((x) => x.rank)).toEqual(eligible.map((_, i) => i + 1));
        expect(r.rows.filter((x) => !x.eligible).every((x) => x.rank === null && x.prize === null && excluded.has(x.userId))).toBe(true);
        const available = a.prizes.reduce((n, p) => n + p.count, 0);
        const candidates = eligible.filter((x) => !a.prior.includes(x.userId)).length;
        expect(r.rows.filter((x) => x.prize !== null).length).toBe(Math.min(available, candidates));
        expect(r.rows.filter((x) => a.prior.includes(x.userId)).every((x) => x.prize === null)).toBe(true);
        // Each person's row is their best attempt.
        for (const row of r.rows)
          for (const s of submissions.filter((x) => x.userId === row.userId)) expect(compareAttempts(row, s, r.actualCount)).toBeLessThanOrEqual(0);
        expect(r.checksum).toBe(checksumOf(r.rows));
      }),
      { numRuns: 300 },
    );
  });
});

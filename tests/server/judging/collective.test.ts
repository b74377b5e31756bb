import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawRows, type Db } from '../../../db/client';
import type { Round, User } from '../../../db/schema/index';
import { prng } from '../../../server/src/lib/draw';
import { bumpTokenVersion } from '../../../server/src/modules/auth/auth.repo';
import { collectiveCounts, participantCounts, type CollectiveBy } from '../../../server/src/modules/judging/collective.repo';
import { collectiveRanking } from '../../../server/src/modules/judging/collective.service';
import { CollectiveCache } from '../../../server/src/modules/judging/judging.cache';
import { member, useTestApp } from '../../helpers/app';
import { makeContest, makeResident, makeStaff } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeLocality, makeSubmission, makeUnit } from '../../helpers/results-factories';
import { call } from '../../helpers/requests';

const t = useTestApp();
const db = (): Db => t.database.db;
let judgeToken: string;
beforeAll(async () => ({ token: judgeToken } = await member(t, 'judge')));
const post = (url: string, payload?: object) => call(t.app, 'POST', url, judgeToken, payload);
const del = (url: string) => call(t.app, 'DELETE', url, judgeToken);

/**
 * The collective counts as one statement per grouping made them before collective.repo
 * participantCounts (kept verbatim as the reference, the eligibility joins written out as
 * eligibility.sql.ts had them): the new counts must be the same, row for row.
 */
async function referenceCounts(contestId: string, by: CollectiveBy, roundId: string | null) {
  const table = by === 'locality' ? sql`localities` : sql`units`;
  const fk = by === 'locality' ? sql`u.locality_id` : sql`u.unit_id`;
  return rawRows<{ id: string; name: string; headcount: number | null; participants: number }>(
    db(),
    sql`
    with people as (
      select distinct s.user_id
      from submissions s join rounds r on r.id = s.round_id
      join users u on u.id = s.user_id
      left join contest_excluded_users(${contestId}) xu on xu.user_id = u.id
      left join disqualifications dq on dq.round_id = s.round_id and dq.user_id = u.id
      where r.contest_id = ${contestId} and (${roundId}::text is null or s.round_id = ${roundId}::text)
        and ineligible_reason(u.role::text, xu.user_id is not null, dq.reason) is null
    ), counted as (
      select ${fk} as group_id, count(*)::int as n
      from people p join users u on u.id = p.user_id
      group by 1
    )
    select g.id, g.name, g.headcount, coalesce(c.n, 0) as participants
    from ${table} g left join counted c on c.group_id = g.id
    where g.contest_id = ${contestId}`,
  );
}

const sorted = (rows: { id: string; name: string; headcount: number | null; participants: number }[]) =>
  rows.map((r) => [r.id, r.name, r.headcount === null ? null : Number(r.headcount), Number(r.participants)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));

/**
 * A contest of `rounds` closed rounds and `people` accounts: residents and some staff, in a
 * locality and a unit of the contest, of another contest or of none; some on the exclusion
 * list (by national id or by phone), some disqualified in a round, each with up to three
 * submissions in each of some rounds.
 */
async function randomContest(seed: number, rounds: number, people: number) {
  const rand = prng(seed);
  const contest = await makeContest(db());
  const other = await makeContest(db());
  const rs: Round[] = [];
  for (let i = 1; i <= rounds; i++) rs.push((await makeClosedRound(db(), contest.id, { number: i, maxAttempts: 3 }, 0)).round);
  const localities = [
    await makeLocality(db(), contest.id, 'Xã Quảng Phú', 40),
    await makeLocality(db(), contest.id, 'Phường Lam Sơn'),
    await makeLocality(db(), contest.id, 'Xã Đông Tiến', 3),
  ];
  const units = [await makeUnit(db(), contest.id, 'Sở Giáo dục', 25), await makeUnit(db(), contest.id, 'Công an tỉnh')];
  const elsewhere = await makeLocality(db(), other.id, 'Xã khác');
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  for (let i = 0; i < people; i++) {
    const place = {
      localityId: rand() < 0.1 ? null : rand() < 0.1 ? elsewhere.id : pick(localities).id,
      unitId: rand() < 0.3 ? null : pick(units).id,
    };
    const user: User = rand() < 0.1 ? await makeStaff(db(), pick(['organizer', 'judge'] as const), place) : await makeResident(db(), place);
    const x = rand();
    if (x < 0.06 && user.nationalId) await makeExclusion(db(), contest.id, { nationalId: user.nationalId });
    else if (x < 0.12) await makeExclusion(db(), contest.id, { phone: user.phone });
    for (const round of rs) {
      if (rand() < 0.4) continue;
      const attempts = 1 + Math.floor(rand() * 3);
      for (let a = 1; a <= attempts; a++) await makeSubmission(db(), round, user.id, { score: 1, attemptNo: a });
      if (rand() < 0.15) await makeDisqualification(db(), round.id, user.id);
    }
  }
  return { contest, rounds: rs, localities, units };
}

describe('collective counts (collective.repo participantCounts)', () => {
  it('equal those of the statements they replaced, contest-wide and per round, on random contests', async () => {
    for (const [seed, rounds, people] of [
      [1, 1, 0],
      [2, 1, 5],
      [3, 2, 30],
      [4, 3, 80],
    ] as const) {
      const { contest, rounds: rs } = await randomContest(seed, rounds, people);
      for (const roundId of [null, ...rs.map((r) => r.id)])
        for (const by of ['locality', 'unit'] as const) {
          const want = sorted(await referenceCounts(contest.id, by, roundId));
          expect(sorted(await collectiveCounts(db(), contest.id, by, roundId)), `seed ${seed}, ${by}, round ${roundId}`).toEqual(want);
          if (people >= 30) expect(want.some((r) => r[3] > 0)).toBe(true);
        }
    }
  }, 120_000);
});

describe('collective ranking cache (judging.cache.ts CollectiveCache)', () => {
  it('counts once while nothing it reads changes, and anew after a disqualification, a reinstatement, a finalize, a publish, an exclusion, a role change or a submission', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { number: 1, maxAttempts: 3 });
    const locality = await makeLocality(db(), contest.id, 'Xã Quảng Phú', 10);
    const people = await Promise.all([1, 2, 3, 4].map(() => makeResident(db(), { localityId: locality.id })));
    for (const [i, p] of people.entries()) await makeSubmission(db(), round, p.id, { score: 4 - i, durationMs: 1000 });
    let counted = 0;
    const cache = new CollectiveCache((d, c, r) => {
      counted++;
      return participantCounts(d, c, r);
    });
    const participants = async () => (await collectiveRanking(db(), contest.id, undefined, cache)).localities.byParticipants[0].participants;
    const step = async (change: () => Promise<unknown>, want: number) => {
      const before = counted;
      await change();
      expect(await participants()).toBe(want);
      expect(counted).toBe(before + 1);
      // And then kept: asked again, not counted again.
      expect(await participants()).toBe(want);
      expect(counted).toBe(before + 1);
    };

    expect(await participants()).toBe(4);
    expect(await participants()).toBe(4);
    expect(counted).toBe(1);
    // Another scope is another entry.
    expect((await collectiveRanking(db(), contest.id, round.id, cache)).localities.byParticipants[0].participants).toBe(4);
    expect(counted).toBe(2);
    await participants();
    expect(counted).toBe(2);

    await step(() => post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: 'Thi hộ' }), 3);
    await step(() => del(`/judge/rounds/${round.id}/disqualifications/${people[0].id}`), 4);
    await step(async () => expect((await post(`/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200), 4);
    await step(async () => expect((await post(`/judge/rounds/${round.id}/publish`)).statusCode).toBe(200), 4);
    await step(() => makeExclusion(db(), contest.id, { phone: people[1].phone }), 3);
    await step(() => bumpTokenVersion(db(), people[2].id, { role: 'judge' }), 2);
    const newcomer = await makeResident(db(), { localityId: locality.id });
    await step(() => makeSubmission(db(), round, newcomer.id, { score: 1, submittedAt: new Date(round.closesAt.getTime() - 1000) }), 3);
  });

  it('counts again once its seconds are over, though nothing it can see changed', async () => {
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id);
    const locality = await makeLocality(db(), contest.id, 'Xã Quảng Phú');
    await makeSubmission(db(), round, (await makeResident(db(), { localityId: locality.id })).id, { score: 1 });
    let now = 1_000_000;
    let counted = 0;
    const cache = new CollectiveCache(
      (d, c, r) => {
        counted++;
        return participantCounts(d, c, r);
      },
      30_000,
      () => now,
    );
    await cache.get(db(), contest.id, null);
    now += 29_999;
    await cache.get(db(), contest.id, null);
    expect(counted).toBe(1);
    now += 2;
    expect((await cache.get(db(), contest.id, null)).locality.get(locality.id)).toBe(1);
    expect(counted).toBe(2);
  });
});

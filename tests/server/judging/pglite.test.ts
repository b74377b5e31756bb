import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useEmbeddedApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeSubmission } from '../../helpers/results-factories';
import { finalize, publish, ranking } from '../../helpers/requests';

// The embedded default runs on PGlite: the same finalize SQL and exports must work there.
const e = useEmbeddedApp();

describe('judging on the embedded PGlite database', () => {
  it('finalizes, finalizes again to the same checksum, publishes and exports', async () => {
    const db = e.database.db;
    const contest = await makeContest(db, { onePrizePerPerson: true });
    const judgeUser = await makeStaff(db, 'judge');
    await addMember(db, contest.id, judgeUser);
    const judge = tokenFor(e.app, judgeUser);
    const { round } = await makeClosedRound(db, contest.id, { questionCount: 4 });
    const people = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makeResident(db)));
    await makeExclusion(db, contest.id, { phone: people[0].phone });
    await makeDisqualification(db, round.id, people[1].id, 'Gian lận');
    // Fair play: the ranked attempts of people 2, 3, 4 share an answer set with a wrong answer
    // (3 of 4; 3 and 4 in the same order), near-identical predictions and an address; every
    // ranked attempt is too fast. Person 5 has every answer right: the actual count is 1.
    const set = [1, 2, 3, 4, 5].map((n) => ({ questionId: `q${n}`, optionId: `o${n}` }));
    const sent = [[], [], [...set.slice(1), set[0]], [...set.slice(2), ...set.slice(0, 2)], [...set.slice(2), ...set.slice(0, 2)], []];
    for (const [i, p] of people.entries()) {
      await makeSubmission(db, round, p.id, {
        score: i === 5 ? 4 : 3,
        prediction: i === 5 ? 1 : i,
        durationMs: 1000 + i,
        attemptId: `att-${i}`,
        answers: sent[i],
        clientIp: i >= 2 ? '203.0.113.5' : null,
      });
      await makeSubmission(db, round, p.id, { score: 2, prediction: 0, durationMs: 10 });
    }

    const first = await finalize(e.app, round.id, judge);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ actualCount: 1, participants: 6, ranked: 4 });
    const again = await finalize(e.app, round.id, judge);
    expect(again.json().checksum).toBe(first.json().checksum);

    const ranked = (await ranking(e.app, round.id, judge)).json();
    expect(ranked.rows.map((r: { userId: string; rank: number | null; prize: string | null }) => [r.userId, r.rank, r.prize])).toEqual([
      [people[5].id, 1, 'Giải Nhất'],
      // Excluded and disqualified rows keep their place in the order, unranked.
      [people[1].id, null, null],
      [people[0].id, null, null],
      [people[2].id, 2, 'Giải Nhì'],
      [people[3].id, 3, 'Giải Nhì'],
      [people[4].id, 4, null],
    ]);
    expect(ranked.rows.map((r: { flags: string[] }) => r.flags)).toEqual([
      ['too_fast'],
      ['too_fast'],
      ['too_fast'],
      ['too_fast', 'answer_farm', 'same_device_or_address'],
      ['too_fast', 'same_answers_same_order', 'answer_farm', 'same_device_or_address'],
      ['too_fast', 'same_answers_same_order', 'answer_farm', 'same_device_or_address'],
    ]);

    expect((await publish(e.app, round.id, judge)).statusCode).toBe(200);
    expect((await e.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/winners` })).json().winners).toHaveLength(3);

    for (const format of ['csv', 'xlsx', 'pdf']) {
      const res = await e.app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${round.id}/export?format=${format}`, headers: bearer(judge) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-content-sha256']).toBe(createHash('sha256').update(res.rawPayload).digest('hex'));
    }
  }, 60_000);
});

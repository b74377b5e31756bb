import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import { ineligibleUsers } from '../../../server/src/modules/judging/eligibility.sql';
import { useTestApp } from '../../helpers/app';
import { makeContest, makeResident, makeStaff } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeSubmission } from '../../helpers/results-factories';

const t = useTestApp();

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

describe("finalize's count of the people the eligibility rule turns away (eligibility.sql.ts ineligibleUsers)", () => {
  it('names the staff, the excluded and the disqualified, the staff found from their partial index (migration 0028)', async () => {
    const db = t.database.db;
    const contest = await makeContest(db);
    const { round } = await makeClosedRound(db, contest.id);
    const judge = await makeStaff(db, 'judge');
    const organizer = await makeStaff(db, 'organizer');
    const excluded = await makeResident(db);
    const byPhone = await makeResident(db);
    const cheat = await makeResident(db);
    const residents = await Promise.all([1, 2, 3].map(() => makeResident(db)));
    for (const u of [excluded, byPhone, cheat, ...residents]) await makeSubmission(db, round, u.id, { score: 1 });
    await makeExclusion(db, contest.id, { nationalId: excluded.nationalId });
    await makeExclusion(db, contest.id, { phone: byPhone.phone });
    await makeDisqualification(db, round.id, cheat.id);

    const turnedAway = await rawRows<{ user_id: string }>(db, sql`select i.user_id from ${ineligibleUsers(round.id, contest.id)} i`);
    expect(turnedAway.map((r) => r.user_id)).toEqual(expect.arrayContaining([judge.id, organizer.id, excluded.id, byPhone.id, cheat.id]));
    expect(turnedAway.map((r) => r.user_id).filter((id) => residents.some((r) => r.id === id))).toEqual([]);

    // With scans discouraged, as on a table of 300k accounts: the staff come from the index
    // whose predicate the statement's own (role <> 'resident') implies. Before migration 0028
    // there was none, and every user was read to find them.
    const plan = await db.transaction(async (tx) => {
      await rawRows(tx, sql`select set_config('enable_seqscan', 'off', true)`);
      const [row] = await rawRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        tx,
        sql`explain (format json) select count(*) from ${ineligibleUsers(round.id, contest.id)} i`,
      );
      return row['QUERY PLAN'][0].Plan;
    });
    const nodes = nodesOf(plan);
    expect(nodes.map((n) => n['Index Name'])).toContain('users_not_resident_idx');
    expect(nodes.filter((n) => n['Relation Name'] === 'users' && n['Node Type'] === 'Seq Scan')).toEqual([]);
  });
});

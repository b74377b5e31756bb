import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase, rawRows } from '../../../db/client';
import { recordAudit } from '../../../server/src/modules/audit/index';
import { listAudit } from '../../../server/src/modules/audit/audit.repo';
import { makeContest, makeQuestions, makeRound } from '../../helpers/factories';
import { migrateUpTo, migrationIdx, ScratchDatabases } from '../../helpers/migrations';

/**
 * The audit page's contest filter reads audit_log.contest_id (migration 0026), set on insert,
 * where it used to read every record's before and after (records of list saves written before
 * those were audited by their changes hold whole lists). The records written before the column
 * get it from the migration, by the same rules.
 */
const scratch = new ScratchDatabases();
afterAll(() => scratch.dropAll());

describe('audit records by contest (migration 0026)', () => {
  it('gives records written before the column their contest, by the rules the filter used', async () => {
    const database = await scratch.create();
    await migrateUpTo(database, migrationIdx('audit_contest') - 1);
    const db = database.db;
    const a = await makeContest(db);
    const b = await makeContest(db);
    const { round } = await makeRound(db, a.id);
    const [q] = await makeQuestions(db, b.id, 1);
    const big = { entries: Array.from({ length: 2000 }, (_, i) => ({ phone: `09${String(i).padStart(8, '0')}` })) };
    // As records were written then: no contest_id column.
    const old = [
      ['contest.update', 'contest', a.id, null, { id: a.id, title: 'x' }],
      ['exclusions.update', 'contest', a.id, big, big],
      ['round.finalize', 'round', round.id, null, { checksum: 'c' }],
      ['question.create', 'question', q.id, null, { id: q.id, contestId: b.id }],
      ['question.delete', 'question', 'gone', { id: 'gone', contestId: b.id }, null],
      ['override.set', 'override', `${round.id}:u`, null, { contestId: a.id }],
      ['user.password', 'user', 'someone', null, { tokenVersion: 2 }],
    ] as const;
    for (const [action, entity, entityId, before, after] of old)
      await rawRows(
        db,
        sql`insert into audit_log (action, entity, entity_id, before, after)
            values (${action}, ${entity}, ${entityId}, ${before === null ? null : JSON.stringify(before)}::jsonb, ${after === null ? null : JSON.stringify(after)}::jsonb)`,
      );

    await migrateDatabase(database);
    const actions = async (contestId: string) => (await listAudit(db, { contestId, limit: 50, offset: 0 })).map((r) => r.action).sort();
    expect(await actions(a.id)).toEqual(['contest.update', 'exclusions.update', 'override.set', 'round.finalize']);
    expect(await actions(b.id)).toEqual(['question.create', 'question.delete']);
    const [none] = await rawRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where contest_id is null`);
    expect(none.n).toBe(1);

    // Written from now on: the trigger sets it, a round's records by the round's contest.
    await recordAudit(db, { actorId: null, action: 'round.publish', entity: 'round', entityId: round.id, after: { checksum: 'c' } });
    await recordAudit(db, { actorId: null, action: 'members.update', entity: 'contest', entityId: b.id, after: { count: 1 } });
    expect(await actions(a.id)).toContain('round.publish');
    expect(await actions(b.id)).toEqual(['members.update', 'question.create', 'question.delete']);
  });
});

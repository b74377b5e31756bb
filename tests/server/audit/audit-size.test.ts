// The audit log stays bounded: a save of a whole list records what changed, not the list.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import { makeNationalId } from '../../../server/src/lib/identity';
import { QUESTION_HEADERS } from '../../../server/src/lib/question-sheet';
import { member, useTestApp } from '../../helpers/app';
import { makeContest, makeQuestions, makeRound } from '../../helpers/factories';
import { call, uploadFile } from '../../helpers/requests';
import { csvText } from '../../fixtures/sheets';

const t = useTestApp();
let organizer: string;
beforeAll(async () => {
  ({ token: organizer } = await member(t, 'organizer'));
});

type Entry = { nationalId: string | null; phone: string | null; note: string | null };
interface Stored {
  id: number;
  action: string;
  beforeBytes: number | null;
  afterBytes: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The records of an entity as stored, with the size of before and after as JSON text. */
const stored = (entityId: string, action: string) =>
  rawRows<Stored>(
    t.database.db,
    sql`select id::int as id, action, octet_length(before::text)::int as "beforeBytes", octet_length(after::text)::int as "afterBytes", before, after
        from audit_log where entity_id = ${entityId} and action = ${action} order by id`,
  );

/** sha256 of an exclusion list as the audit defines it: one line "CCCD⇥phone⇥note" per entry, in UTF-8 byte order. */
function listDigest(entries: Entry[]): string {
  const lines = entries.map((e) => Buffer.from(`${e.nationalId ?? ''}\t${e.phone ?? ''}\t${e.note ?? ''}\n`)).sort(Buffer.compare);
  return createHash('sha256').update(Buffer.concat(lines)).digest('hex');
}

const putList = (contestId: string, entries: Partial<Entry>[]) => call(t.app, 'PUT', `/admin/contests/${contestId}/exclusions`, organizer, { entries });
const getList = async (contestId: string): Promise<Entry[]> =>
  (await call(t.app, 'GET', `/admin/contests/${contestId}/exclusions`, organizer)).json().entries.map(({ id: _id, ...e }: Entry & { id: string }) => e);

describe('an exclusion-list save is audited by what changed', () => {
  it('records counts, the entries added, removed and changed (at most 50 each) and the digest of the list, never the list', async () => {
    const c = await makeContest(t.database.db);
    const first: Entry[] = Array.from({ length: 3000 }, (_, i) => ({ nationalId: makeNationalId(1970 + (i % 30), i), phone: null, note: `Cán bộ số ${i}` }));
    expect((await putList(c.id, first)).statusCode).toBe(200);
    const firstStored = await getList(c.id);
    // One entry swapped for another, one note edited.
    const second = first.map((e) => ({ ...e }));
    second[1500] = { nationalId: makeNationalId(1999, 999_999), phone: '0912345678', note: 'Người mới' };
    second[7].note = 'Chuyển sang Ban giám khảo';
    expect((await putList(c.id, second)).statusCode).toBe(200);
    const secondStored = await getList(c.id);

    const rows = await stored(c.id, 'exclusions.replace');
    expect(rows).toHaveLength(2);
    // Bounded whatever the list's size: the old records held 3,000 entries (~200 KB) a side.
    for (const r of rows) {
      expect(r.beforeBytes).toBeLessThan(1_000);
      expect(r.afterBytes).toBeLessThan(10_000);
    }
    const [a, b] = rows;
    expect(a.before).toEqual({ count: 0, sha256: listDigest([]) });
    expect(a.after).toMatchObject({ count: 3000, addedCount: 3000, removedCount: 0, changedCount: 0, truncated: true, sha256: listDigest(firstStored) });
    expect(a.after!.added).toHaveLength(50);
    expect((a.after!.added as Entry[])[0]).toEqual(first[0]);

    expect(b.before).toEqual({ count: 3000, sha256: listDigest(firstStored) });
    expect(b.after).toEqual({
      count: 3000,
      sha256: listDigest(secondStored),
      added: [second[1500]],
      addedCount: 1,
      removed: [first[1500]],
      removedCount: 1,
      changed: [{ before: first[7], after: second[7] }],
      changedCount: 1,
      truncated: false,
    });
  });

  it('records an append import the same way, with the file and the mode', async () => {
    const c = await makeContest(t.database.db);
    await putList(c.id, [{ nationalId: makeNationalId(1980, 1) }]);
    const file = Buffer.from(
      csvText([
        ['Số CCCD', 'Ghi chú'],
        [makeNationalId(1981, 2), 'Tổ thư ký'],
      ]),
    );
    const res = await uploadFile(t.app, `/admin/contests/${c.id}/exclusions/import?mode=append`, organizer, file, 'them.csv');
    expect(res.statusCode).toBe(200);
    const [r] = await stored(c.id, 'exclusions.import');
    expect(r.before).toMatchObject({ count: 1 });
    expect(r.after).toMatchObject({
      file: 'them.csv',
      mode: 'append',
      count: 2,
      added: [{ nationalId: makeNationalId(1981, 2), phone: null, note: 'Tổ thư ký' }],
      addedCount: 1,
      removed: [],
      removedCount: 0,
      sha256: listDigest(await getList(c.id)),
    });
  });
});

describe('other list writers are bounded too', () => {
  it("a round pool's replacement records the questions added and removed", async () => {
    const c = await makeContest(t.database.db);
    const opensAt = new Date(Date.now() + 3_600_000);
    const { round } = await makeRound(t.database.db, c.id, { opensAt, closesAt: new Date(Date.now() + 7_200_000), questionCount: 5 }, 0);
    const qs = await makeQuestions(t.database.db, c.id, 301);
    const ids = qs.slice(0, 300).map((q) => q.id);
    expect((await call(t.app, 'PUT', `/admin/rounds/${round.id}/questions`, organizer, { questionIds: ids })).statusCode).toBe(200);
    const swapped = [...ids.slice(0, 299), qs[300].id];
    expect((await call(t.app, 'PUT', `/admin/rounds/${round.id}/questions`, organizer, { questionIds: swapped })).statusCode).toBe(200);
    const rows = await stored(round.id, 'round.pool');
    // The old records held every id a side: 300 ids are ~12 KB.
    for (const r of rows) expect(r.afterBytes! + r.beforeBytes!).toBeLessThan(4_000);
    expect(rows[0].after).toMatchObject({ contestId: c.id, count: 300, addedCount: 300, truncated: true });
    expect(rows[0].after!.added).toEqual(ids.slice(0, 50));
    expect(rows[1].before).toMatchObject({ contestId: c.id, count: 300 });
    expect(rows[1].after).toMatchObject({
      contestId: c.id,
      count: 300,
      added: [qs[300].id],
      addedCount: 1,
      removed: [ids[299]],
      removedCount: 1,
      truncated: false,
    });
    // The digest of the pool in its order: the ids one a line.
    expect(rows[1].after!.sha256).toBe(
      createHash('sha256')
        .update(swapped.map((id) => id + '\n').join(''))
        .digest('hex'),
    );
  });

  it('a question import records at most 50 of the ids it created, their count and their digest', async () => {
    const c = await makeContest(t.database.db);
    const rows = [[...QUESTION_HEADERS], ...Array.from({ length: 60 }, (_, i) => [`Câu hỏi nhập số ${i}?`, 'a', 'b', 'c', '', 'A'])];
    const res = await uploadFile(t.app, `/admin/contests/${c.id}/questions/import`, organizer, Buffer.from(csvText(rows)), 'cau-hoi.csv');
    expect(res.json()).toMatchObject({ created: 60, errors: [] });
    const [r] = await stored(c.id, 'question.import');
    expect(r.after).toMatchObject({ file: 'cau-hoi.csv', created: 60, truncated: true });
    expect(r.after!.questionIds).toHaveLength(50);
    expect(r.after!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a locality import records at most 50 of the names it created and changed, with their counts', async () => {
    const c = await makeContest(t.database.db);
    const rows = [['Tên xã, phường', 'Dân số'], ...Array.from({ length: 60 }, (_, i) => [`Xã Thử Nghiệm ${i}`, String(1000 + i)])];
    const res = await uploadFile(t.app, `/admin/contests/${c.id}/localities/import`, organizer, Buffer.from(csvText(rows)), 'xa.csv');
    expect(res.json()).toMatchObject({ created: 60 });
    const [r] = await stored(c.id, 'localities.import');
    expect(r.after).toMatchObject({ file: 'xa.csv', count: 60, createdCount: 60, changedCount: 0, truncated: true });
    expect(r.after!.created).toHaveLength(50);
  });
});

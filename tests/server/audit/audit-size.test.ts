// The audit log stays bounded: a save of a whole list records what changed, not the list,
// and a record from before that (a whole list of tens of thousands of entries) never
// reaches the list page whole; GET /admin/audit/:id gives it whole, to admins only.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import { auditLog } from '../../../db/schema/index';
import { makeNationalId } from '../../../server/src/lib/identity';
import { QUESTION_HEADERS } from '../../../server/src/lib/question-sheet';
import { member, useTestApp } from '../../helpers/app';
import { bearer, makeContest, makeQuestions, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { call, uploadFile } from '../../helpers/requests';
import { csvText } from '../../fixtures/sheets';

const t = useTestApp();
let admin: string;
let organizer: string;
beforeAll(async () => {
  admin = tokenFor(t.app, await makeStaff(t.database.db, 'admin'));
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

/** A record as written before the bound: a whole list of about 5 MB a side. */
async function insertLegacyRecord(contestId: string) {
  const entries = Array.from({ length: 40_000 }, (_, i) => ({
    nationalId: makeNationalId(1960 + (i % 40), i * 7),
    phone: `09${String(i * 13).padStart(8, '0')}`,
    note: `Cán bộ phòng ${i % 97}, đơn vị ${i}, ghi chú thêm để đủ cỡ`,
  }));
  const [row] = await t.database.db
    .insert(auditLog)
    .values({
      actorId: null,
      action: 'exclusions.replace',
      entity: 'contest',
      entityId: contestId,
      before: { count: entries.length, entries },
      after: { count: entries.length, entries: entries.slice().reverse(), passwordHash: '$argon2id$secret' },
    })
    .returning({ id: auditLog.id });
  const [size] = await stored(contestId, 'exclusions.replace');
  expect(size.beforeBytes).toBeGreaterThan(4_500_000);
  return { id: row.id, entries };
}

const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: token ? bearer(token) : {} });

describe('GET /admin/audit over a huge record', () => {
  it('answers a bounded summary in place of a before or after too large for a list', async () => {
    const c = await makeContest(t.database.db);
    await insertLegacyRecord(c.id);
    await call(t.app, 'PATCH', `/admin/contests/${c.id}`, organizer, { title: 'Tên mới' });
    const res = await get(`/admin/audit?contestId=${c.id}&limit=200`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.payload.length).toBeLessThan(20_000);
    const [update, legacy] = res.json().rows;
    expect(legacy.action).toBe('exclusions.replace');
    expect(legacy.complete).toBe(false);
    expect(legacy.before).toEqual({ omitted: true, bytes: expect.any(Number) });
    expect(legacy.after).toEqual({ omitted: true, bytes: expect.any(Number) });
    expect(legacy.before.bytes).toBeGreaterThan(16_384);
    // A record of ordinary size stays whole.
    expect(update).toMatchObject({ action: 'contest.update', complete: true, after: { title: 'Tên mới' } });
  });

  it('measures a value that is stored compressed by its text: a repetitive list small on disk is still left out', async () => {
    const c = await makeContest(t.database.db);
    const entry = { nationalId: makeNationalId(1980, 1), phone: '0912345678', note: 'Cán bộ Ban tổ chức' };
    await t.database.db.insert(auditLog).values({
      actorId: null,
      action: 'exclusions.replace',
      entity: 'contest',
      entityId: c.id,
      after: { count: 8000, entries: Array.from({ length: 8000 }, () => entry) },
    });
    const [size] = await rawRows<{ stored: number; text: number }>(
      t.database.db,
      sql`select pg_column_size(after)::int as stored, octet_length(after::text)::int as text from audit_log where entity_id = ${c.id}`,
    );
    expect(size.stored).toBeLessThan(16_384);
    expect(size.text).toBeGreaterThan(500_000);
    const [row] = (await get(`/admin/audit?entityId=${c.id}`, admin)).json().rows;
    expect(row).toMatchObject({ complete: false, before: null, after: { omitted: true, bytes: size.stored } });
  });
});

describe('GET /admin/audit/:id', () => {
  it('returns the record whole, a password hash still left out', async () => {
    const c = await makeContest(t.database.db);
    const { id, entries } = await insertLegacyRecord(c.id);
    const res = await get(`/admin/audit/${id}`, admin);
    expect(res.statusCode).toBe(200);
    const row = res.json();
    expect(row).toMatchObject({ id, action: 'exclusions.replace', entity: 'contest', entityId: c.id, actorId: null, actorName: null, complete: true });
    expect(row.before.entries).toHaveLength(entries.length);
    expect(row.before.entries[123]).toEqual(entries[123]);
    expect(row.after.count).toBe(entries.length);
    expect(row.after).not.toHaveProperty('passwordHash');
  });

  it('is for admins only, 404 for an unknown record and 400 for an id that is none', async () => {
    const c = await makeContest(t.database.db);
    const [row] = await t.database.db
      .insert(auditLog)
      .values({ actorId: null, action: 'contest.update', entity: 'contest', entityId: c.id, after: { title: 'x' } })
      .returning({ id: auditLog.id });
    expect((await get(`/admin/audit/${row.id}`, admin)).statusCode).toBe(200);
    expect((await get(`/admin/audit/${row.id}`, organizer)).statusCode).toBe(403);
    expect((await get(`/admin/audit/${row.id}`, tokenFor(t.app, await makeStaff(t.database.db, 'judge')))).statusCode).toBe(403);
    expect((await get(`/admin/audit/${row.id}`)).statusCode).toBe(401);
    const missing = await get(`/admin/audit/${row.id + 1_000_000}`, admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
    expect((await get('/admin/audit/abc', admin)).statusCode).toBe(400);
    expect((await get('/admin/audit/0', admin)).statusCode).toBe(400);
  });
});

import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, questions } from '../../../db/schema/index';
import { BankLint } from '../../../server/src/lib/question-lint';
import { lintRows, parseQuestionRows, QUESTION_HEADERS, WARNINGS_HEADER } from '../../../server/src/lib/question-sheet';
import { bankForLint } from '../../../server/src/modules/questions/questions.repo';
import { readSheet } from '../../../server/src/lib/spreadsheet';
import { useTestApp, memberTokens } from '../../helpers/app';
import { bearer, makeContest, makeQuestions, tokenFor } from '../../helpers/factories';
import { uploadFile } from '../../helpers/requests';
import { csvText, xlsxOf } from '../../fixtures/sheets';
import * as samples from '../../fixtures/lint-questions';

const t = useTestApp();
let organizer: string;
let judge: string;
let resident: string;
beforeAll(async () => {
  [organizer, judge] = await memberTokens(t, 'organizer', 'judge');
  resident = tokenFor(t.app, { id: crypto.randomUUID(), role: 'resident' });
});

type Input = { text: string; options: { text: string; correct: boolean }[]; topic?: string | null; explanation?: string | null };
const opts = (...texts: string[]) => texts.map((s) => ({ text: s.replace(/^\*/, ''), correct: s.startsWith('*') }));
/** A question of its text and options, the correct one marked with a leading `*`. */
const question = (text: string, ...options: string[]): Input => ({ text, options: opts(...options) });

const SIGNER = question(...samples.SIGNER);
const LEAK = question(...samples.LEAK);
const DECISIONS = question(
  'Trong năm 2023, UBND tỉnh và Ban Chỉ đạo chuyển đổi số tỉnh Thanh Hóa đã ban hành bao nhiêu Quyết định?',
  '*16 Quyết định',
  '08 Quyết định',
  '12 Quyết định',
);
const PLANS = question(
  'Trong năm 2023, UBND tỉnh và Ban Chỉ đạo chuyển đổi số tỉnh Thanh Hóa đã ban hành bao nhiêu Kế hoạch?',
  '16 Kế hoạch',
  '*08 Kế hoạch',
  '05 Kế hoạch',
);
const CLEAN = question('Năm 2023, tỉnh Thanh Hóa tổ chức bao nhiêu sự kiện hưởng ứng Ngày Chuyển đổi số quốc gia?', '03 sự kiện', '*05 sự kiện', '07 sự kiện');
const BOUNDS = question('Năm 2023, Cổng dịch vụ công có bao nhiêu tài khoản đăng ký?', '*Hơn 85.000 tài khoản', 'Hơn 8.500 tài khoản', 'Hơn 58.000 tài khoản');

async function create(contestId: string, body: Input, token = organizer) {
  return t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${contestId}/questions`, headers: bearer(token), payload: body });
}
const lint = (contestId: string, token = organizer) =>
  t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${contestId}/questions/lint`, headers: bearer(token) });
const auditCount = async () => (await t.database.db.select({ n: count() }).from(auditLog))[0].n;

describe('GET /admin/contests/:contestId/questions/lint', () => {
  it('lists every warning of the bank, pairs on both questions, in both languages', async () => {
    const c = await makeContest(t.database.db);
    const ids: Record<string, string> = {};
    for (const [k, q] of Object.entries({ SIGNER, LEAK, DECISIONS, PLANS, CLEAN, BOUNDS })) ids[k] = (await create(c.id, q)).json().id;
    const before = await auditCount();

    const res = await lint(c.id);
    expect(res.statusCode).toBe(200);
    const ws = res.json() as { questionId: string; rule: string; message: string; messageEn: string; relatedQuestionId?: string }[];
    const of = (k: string) => ws.filter((w) => w.questionId === ids[k]).map((w) => [w.rule, w.relatedQuestionId ?? null]);
    expect(of('SIGNER')).toEqual([['answered_elsewhere', ids.LEAK]]);
    expect(of('LEAK')).toEqual([['answered_elsewhere', ids.SIGNER]]);
    expect(of('DECISIONS')).toEqual([['near_duplicate', ids.PLANS]]);
    expect(of('PLANS')).toEqual([['near_duplicate', ids.DECISIONS]]);
    expect(of('BOUNDS')).toEqual([['lower_bound_options', null]]);
    expect(of('CLEAN')).toEqual([]);
    for (const w of ws) {
      expect(w.message).toMatch(/[ạảấầẩẫậắằẳẵặẹẻẽếềểễệđ]/);
      // English around the quoted Vietnamese text.
      expect(w.messageEn.replace(/“[^”]*”/g, '')).toMatch(/^[\x20-\x7e×]+$/);
    }
    // Reading warnings writes nothing.
    expect(await auditCount()).toBe(before);
  });

  it('answers an empty list for an empty bank, 404 for an unknown contest, 403 to judge members and residents', async () => {
    const c = await makeContest(t.database.db);
    expect((await lint(c.id)).json()).toEqual([]);
    expect((await lint(crypto.randomUUID())).statusCode).toBe(404);
    expect((await lint(c.id, judge)).statusCode).toBe(403);
    expect((await lint(c.id, resident)).statusCode).toBe(403);
  });
});

describe('question create and update warnings', () => {
  it('answers the created question with its warnings against the bank, and stores it anyway', async () => {
    const c = await makeContest(t.database.db);
    const first = await create(c.id, DECISIONS);
    expect(first.statusCode).toBe(201);
    expect(first.json().warnings).toEqual([]);
    const second = await create(c.id, PLANS);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({
      text: PLANS.text,
      warnings: [
        {
          rule: 'near_duplicate',
          relatedQuestionId: first.json().id,
          message: expect.stringContaining('Đề gần trùng'),
          messageEn: expect.stringContaining('nearly repeats'),
        },
      ],
    });
    const stored = await t.database.db.select().from(questions).where(eq(questions.contestId, c.id));
    expect(stored).toHaveLength(2);
  });

  it('answers an update with the warnings of the edited text, and none once fixed', async () => {
    const c = await makeContest(t.database.db);
    await create(c.id, SIGNER);
    const q = (await create(c.id, CLEAN)).json();
    const patch = (body: Partial<Input>) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/admin/questions/${q.id}`, headers: bearer(organizer), payload: body });
    const bad = await patch({ text: 'Ông Mai Xuân Liêm chỉ đạo tổ chức bao nhiêu sự kiện năm 2023?', options: BOUNDS.options });
    expect(bad.statusCode).toBe(200);
    expect(
      bad
        .json()
        .warnings.map((w: { rule: string }) => w.rule)
        .sort(),
    ).toEqual(['answered_elsewhere', 'lower_bound_options']);
    const fixed = await patch({ text: CLEAN.text, options: CLEAN.options });
    expect(fixed.json().warnings).toEqual([]);
  });

  it('still refuses an invalid question with 400 and writes nothing', async () => {
    const c = await makeContest(t.database.db);
    const res = await create(c.id, { text: BOUNDS.text, options: opts('*Hơn 1', 'Hơn 2') });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_QUESTION');
    expect(await t.database.db.select().from(questions).where(eq(questions.contestId, c.id))).toEqual([]);
  });
});

const H = [...QUESTION_HEADERS];
const rowOf = (q: Input) => {
  const o = q.options.map((x) => x.text);
  while (o.length < 4) o.push('');
  return [q.text, ...o, 'ABCD'[q.options.findIndex((x) => x.correct)], '', ''];
};
const upload = (contestId: string, file: Buffer, name: string, query = '') =>
  uploadFile(t.app, `/admin/contests/${contestId}/questions/import${query}`, organizer, file, name);

describe('import warnings', () => {
  it('lists warnings per row beside errors on a dry run, against the bank and the other rows, and writes nothing', async () => {
    const c = await makeContest(t.database.db);
    const signer = (await create(c.id, SIGNER)).json();
    const file = await xlsxOf([H, rowOf(DECISIONS), rowOf(CLEAN), rowOf(PLANS), rowOf(LEAK), rowOf(BOUNDS), ['Hỏi gì?', 'a', 'b', '', '', 'A', '', '']]);
    const res = await upload(c.id, file, 'bank.xlsx', '?dryRun=true');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.errors.map((e: { row: number }) => e.row)).toEqual([7]);
    expect(
      body.warnings.map((w: { row: number; rule: string; relatedRow?: number; relatedQuestionId?: string }) => [
        w.row,
        w.rule,
        w.relatedRow ?? w.relatedQuestionId ?? null,
      ]),
    ).toEqual([
      [2, 'near_duplicate', 4],
      [4, 'near_duplicate', 2],
      [5, 'answered_elsewhere', signer.id],
      [6, 'lower_bound_options', null],
    ]);
    expect(body.warnings[0]).toMatchObject({ message: expect.stringContaining('Đề gần trùng'), messageEn: expect.stringContaining('nearly repeats') });
    expect(await t.database.db.select().from(questions).where(eq(questions.contestId, c.id))).toHaveLength(1);
  });

  it('imports a file with warnings (they never block) and reports them', async () => {
    const c = await makeContest(t.database.db);
    const res = await upload(c.id, Buffer.from(csvText([H, rowOf(DECISIONS), rowOf(PLANS)])), 'bank.csv');
    expect(res.json()).toMatchObject({
      created: 2,
      errors: [],
      warnings: [
        { row: 2, rule: 'near_duplicate' },
        { row: 3, rule: 'near_duplicate' },
      ],
    });
  });
});

describe('export with a "Cảnh báo" column', () => {
  it.each(['xlsx', 'csv'] as const)('writes each question’s warnings in %s, and import ignores the column', async (format) => {
    const c = await makeContest(t.database.db);
    for (const q of [DECISIONS, PLANS, CLEAN, BOUNDS]) await create(c.id, q);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/export?format=${format}`, headers: bearer(organizer) });
    expect(res.statusCode).toBe(200);
    const sheet = await readSheet(res.rawPayload);
    const [header, ...rows] = sheet.rows.map((r) => r.cells);
    expect(header).toEqual([...H, WARNINGS_HEADER]);
    const warningsOf = (text: string) => rows.find((r) => r[0] === text)![8] ?? '';
    expect(warningsOf(DECISIONS.text)).toMatch(/^• Đề gần trùng/);
    expect(warningsOf(BOUNDS.text)).toContain('cận dưới');
    expect(warningsOf(CLEAN.text)).toBe('');

    const copy = await makeContest(t.database.db);
    const back = await upload(copy.id, res.rawPayload, `out.${format}`);
    expect(back.json()).toMatchObject({ created: 4, errors: [] });
    const texts = (await t.database.db.select().from(questions).where(eq(questions.contestId, copy.id))).map((q) => q.text).sort();
    expect(texts).toEqual([DECISIONS.text, PLANS.text, CLEAN.text, BOUNDS.text].sort());
  });
});

/** A stem as the factory's bank words them (makeQuestions: "Câu hỏi số N: chuyển đổi số là gì?"). */
const LIKE_THE_BANK = question('Câu hỏi số 987654: chuyển đổi số là gì?', '*Phương án A', 'Phương án B', 'Phương án C', 'Phương án D');

describe('off the event loop', () => {
  it('lints on the lint worker: the bank route, a save and an import give what BankLint gives, and this thread runs none of it', async () => {
    const c = await makeContest(t.database.db);
    await makeQuestions(t.database.db, c.id, 1500);
    const spies = [vi.spyOn(BankLint.prototype, 'lintAll'), vi.spyOn(BankLint.prototype, 'lint')];
    let whole, saved, imported;
    try {
      whole = await lint(c.id);
      saved = await create(c.id, LIKE_THE_BANK);
      imported = await upload(c.id, Buffer.from(csvText([H, rowOf(PLANS), rowOf(DECISIONS), rowOf(CLEAN)])), 'bank.csv', '?dryRun=true');
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(whole.statusCode).toBe(200);
    expect(saved.statusCode).toBe(201);
    expect(imported.statusCode).toBe(200);

    const bank = await bankForLint(t.database.db, c.id);
    const savedId = saved.json().id as string;
    const before = bank.filter((q) => q.id !== savedId);
    // The 1,500 near-identical stems of the factory repeat each other: the worker did the work.
    expect(whole.json().length).toBeGreaterThan(1000);
    expect(whole.json()).toEqual(new BankLint(before).lintAll());
    expect(saved.json().warnings).toEqual(new BankLint(bank).lint(bank.find((q) => q.id === savedId)!));
    expect(saved.json().warnings).toContainEqual(expect.objectContaining({ rule: 'near_duplicate' }));
    const rows = parseQuestionRows([H, rowOf(PLANS), rowOf(DECISIONS), rowOf(CLEAN)].map((cells, i) => ({ number: i + 1, cells }))).questions;
    expect(imported.json().warnings).toEqual(lintRows(rows, bank));
    expect(imported.json().warnings).toContainEqual(expect.objectContaining({ row: 2, rule: 'near_duplicate', relatedRow: 3 }));
  });
});

import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { QUESTION_HEADERS } from '../../../server/src/lib/question-sheet';
import { bearer, makeContest } from '../../helpers/factories';
import { csvText } from '../../fixtures/sheets';

const t = useTestApp();
let organizer: string;
beforeAll(async () => (organizer = await memberToken(t, 'organizer')));

const options = [
  { text: 'x', correct: true },
  { text: 'y', correct: false },
  { text: 'z', correct: false },
];
const postQuestion = (contestId: string, payload: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${contestId}/questions`, headers: bearer(organizer), payload });

describe('POST /admin/contests/:contestId/questions with control characters', () => {
  it.each([
    ['text', { text: 'a\u0000b', options }],
    ['option', { text: 'Hỏi?', options: [{ text: 'x\u0000', correct: true }, ...options.slice(1)] }],
    ['explanation', { text: 'Hỏi?', options, explanation: 'giải\u0007thích' }],
  ])('answers 400, not 500, for a NUL or bell in the %s', async (_w, payload) => {
    const c = await makeContest(t.database.db);
    const res = await postQuestion(c.id, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('still keeps line breaks in an explanation', async () => {
    const c = await makeContest(t.database.db);
    const res = await postQuestion(c.id, { text: 'Hỏi?', options, explanation: 'Dòng 1\nDòng 2' });
    expect(res.statusCode).toBe(201);
    expect(res.json().explanation).toBe('Dòng 1\nDòng 2');
  });
});

describe('invisible characters (zero-width space, soft hyphen, BOM) in a question', () => {
  it('are dropped by the API and the import alike, so neither takes two equal options', async () => {
    const c = await makeContest(t.database.db);
    const twins = [
      { text: 'Hà\u200bNội', correct: true },
      { text: 'HàNội', correct: false },
      { text: 'Huế', correct: false },
    ];
    const res = await postQuestion(c.id, { text: 'Thủ đô?', options: twins });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_QUESTION');

    const saved = await postQuestion(c.id, { text: 'Thủ\u00ad đô\u200b của\ufeff Việt Nam?', options });
    expect(saved.statusCode).toBe(201);
    expect(saved.json().text).toBe('Thủ đô của Việt Nam?');

    const file = csvText([
      [...QUESTION_HEADERS],
      ['Thủ đô của\u200b Việt Nam?', 'a', 'b', 'c', '', 'A'],
      ['Câu khác?', 'Hà\u200bNội', 'HàNội', 'Huế', '', 'A'],
    ]);
    const boundary = 'b0undary';
    const imported = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/contests/${c.id}/questions/import?dryRun=true`,
      headers: { ...bearer(organizer), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="q.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        Buffer.from(file),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().errors.map((e: { row: number; messageEn: string }) => [e.row, e.messageEn])).toEqual([
      [2, 'The question is already in the bank'],
      [3, 'Option B repeats another option'],
    ]);
  });
});

describe('PUT /admin/contests/:contestId/exclusions with control characters', () => {
  it('stores a note without them instead of failing', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/contests/${c.id}/exclusions`,
      headers: bearer(organizer),
      payload: { entries: [{ phone: '0912345678', note: 'Ban\u0000tổ chức' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().entries[0].note).toBe('Ban tổ chức');
  });
});

describe('POST /admin/contests/:contestId/questions/import with a hostile file name', () => {
  it('records the name without control characters', async () => {
    const c = await makeContest(t.database.db);
    const boundary = 'b0undary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\u0000b\u0001.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      Buffer.from(csvText([[...QUESTION_HEADERS], ['Hỏi?', 'a', 'b', 'c', '', 'A']])),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/contests/${c.id}/questions/import`,
      headers: { ...bearer(organizer), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.json()).toMatchObject({ created: 1 });
    const [entry] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'question.import'), eq(auditLog.entityId, c.id)));
    expect((entry.after as { file: string }).file).toBe('ab.csv');
  });
});

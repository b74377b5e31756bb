import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { attempts, questions, roundQuestions } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { bearer, makeContest, makeQuestions, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { call } from '../../helpers/requests';

const t = useTestApp();
let org: string;
let resident: string;
beforeAll(async () => {
  org = await memberToken(t, 'organizer');
  resident = tokenFor(t.app, await makeResident(t.database.db));
});

/** A round opening in an hour, with an empty pool. */
async function makeUpcomingRound(contestId: string, questionCount: number) {
  const opensAt = new Date(Date.now() + 3_600_000);
  const closesAt = new Date(Date.now() + 7_200_000);
  return (await makeRound(t.database.db, contestId, { opensAt, closesAt, questionCount }, 0)).round;
}

const q = (over: Record<string, unknown> = {}) => ({
  text: 'Ngày Chuyển đổi số quốc gia là ngày nào?',
  options: [
    { text: '10/10', correct: true },
    { text: '1/10', correct: false },
    { text: '2/9', correct: false },
  ],
  topic: 'Ngày Chuyển đổi số',
  explanation: 'Theo Quyết định 505/QĐ-TTg.',
  ...over,
});

describe('POST /admin/contests/:contestId/questions', () => {
  it('creates a question with random option ids and the correct one marked', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(org), payload: q() });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.options).toHaveLength(3);
    expect(body.options.map((o: { correct: boolean }) => o.correct)).toEqual([true, false, false]);
    for (const o of body.options) expect(o.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(body.options.map((o: { id: string }) => o.id)).size).toBe(3);
  });

  it("keeps the stem's line breaks as written (the editor's textarea), options on one line", async () => {
    const c = await makeContest(t.database.db);
    const text = 'Sắp xếp các bước\n1. Đăng ký tài khoản\n2. Xác thực  định danh\nThứ tự nào đúng?';
    const options = [
      { text: '1  rồi 2', correct: true },
      { text: '2 rồi\n1', correct: false },
      { text: 'Tuỳ ý', correct: false },
    ];
    const res = await call(t.app, 'POST', `/admin/contests/${c.id}/questions`, org, q({ text, options }));
    expect(res.statusCode).toBe(201);
    expect(res.json().text).toBe('Sắp xếp các bước\n1. Đăng ký tài khoản\n2. Xác thực định danh\nThứ tự nào đúng?');
    expect(res.json().options.map((o: { text: string }) => o.text)).toEqual(['1 rồi 2', '2 rồi 1', 'Tuỳ ý']);
    const listed = await call(t.app, 'GET', `/admin/contests/${c.id}/questions`, org);
    expect(listed.json().find((x: { id: string }) => x.id === res.json().id).text).toBe(res.json().text);
  });

  it.each([
    [
      'two options',
      {
        options: [
          { text: 'a', correct: true },
          { text: 'b', correct: false },
        ],
      },
    ],
    ['five options', { options: 'abcde'.split('').map((x, i) => ({ text: x, correct: i === 0 })) }],
    // Past ten it was the schema's VALIDATION_FAILED; API.md names INVALID_QUESTION for any count but 3 or 4.
    ['eleven options', { options: 'abcdefghijk'.split('').map((x, i) => ({ text: x, correct: i === 0 })) }],
    [
      'no correct option',
      {
        options: [
          { text: 'a', correct: false },
          { text: 'b', correct: false },
          { text: 'c', correct: false },
        ],
      },
    ],
    [
      'two correct options',
      {
        options: [
          { text: 'a', correct: true },
          { text: 'b', correct: true },
          { text: 'c', correct: false },
        ],
      },
    ],
    [
      'two equal options',
      {
        options: [
          { text: 'a', correct: true },
          { text: ' A ', correct: false },
          { text: 'c', correct: false },
        ],
      },
    ],
  ])('rejects %s with 400 INVALID_QUESTION and writes nothing', async (_n, over) => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(org), payload: q(over) });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_QUESTION');
    expect(await t.database.db.select().from(questions).where(eq(questions.contestId, c.id))).toEqual([]);
  });

  it('rejects wrong types with 400 and residents with 403', async () => {
    const c = await makeContest(t.database.db);
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(org), payload: q({ text: 5 }) });
    expect(bad.statusCode).toBe(400);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(resident), payload: q() });
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /admin/contests/:contestId/questions', () => {
  it('lists the bank with correct flags, filtered by topic and text', async () => {
    const c = await makeContest(t.database.db);
    await makeQuestions(t.database.db, c.id, 4);
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(org), payload: q() });
    const all = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(org) });
    expect(all.json()).toHaveLength(5);
    expect(all.json()[0].options.some((o: { correct: boolean }) => o.correct)).toBe(true);
    const byTopic = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/contests/${c.id}/questions?topic=${encodeURIComponent('Kinh tế số')}`,
      headers: bearer(org),
    });
    expect(byTopic.json()).toHaveLength(2);
    const byText = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/contests/${c.id}/questions?q=${encodeURIComponent('quốc gia')}`,
      headers: bearer(org),
    });
    expect(byText.json()).toHaveLength(1);
    // Typed without accents, or in capitals, it finds the same question.
    for (const typed of ['quoc gia', 'QUỐC  GIA', 'Quoc Gia'])
      expect((await call(t.app, 'GET', `/admin/contests/${c.id}/questions?q=${encodeURIComponent(typed)}`, org)).json(), typed).toEqual(byText.json());
    const pct = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions?q=%25`, headers: bearer(org) });
    expect(pct.json()).toHaveLength(0);
  });
});

describe('PATCH and DELETE /admin/questions/:questionId', () => {
  it('edits a question and gives new options new ids', async () => {
    const c = await makeContest(t.database.db);
    const [question] = await makeQuestions(t.database.db, c.id, 1);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/questions/${question.id}`, headers: bearer(org), payload: q() });
    expect(res.statusCode).toBe(200);
    expect(res.json().text).toBe(q().text);
    const onlyTopic = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/questions/${question.id}`, headers: bearer(org), payload: { topic: 'Khác' } });
    expect(onlyTopic.json()).toMatchObject({ topic: 'Khác', text: q().text });
    expect(onlyTopic.json().options).toEqual(res.json().options);
  });

  it('leaves out a topic and an explanation the question has not (questionInput’s `topic?`, `explanation?`), never null', async () => {
    const c = await makeContest(t.database.db);
    const { topic: _t, explanation: _e, ...bare } = q();
    const created = await call(t.app, 'POST', `/admin/contests/${c.id}/questions`, org, bare);
    expect(created.statusCode).toBe(201);
    const keysOf = (x: object) => ['topic', 'explanation'].filter((k) => k in x);
    expect(keysOf(created.json())).toEqual([]);
    const full = await call(t.app, 'PATCH', `/admin/questions/${created.json().id}`, org, { topic: 'Khác', explanation: 'Vì thế.' });
    expect(full.json()).toMatchObject({ topic: 'Khác', explanation: 'Vì thế.' });
    const cleared = await call(t.app, 'PATCH', `/admin/questions/${created.json().id}`, org, { topic: null, explanation: null });
    expect(cleared.statusCode).toBe(200);
    expect(keysOf(cleared.json())).toEqual([]);
    const listed = (await call(t.app, 'GET', `/admin/contests/${c.id}/questions`, org)).json() as object[];
    expect(listed.map(keysOf)).toEqual([[]]);
  });

  it('refuses an edit that breaks the option rule', async () => {
    const c = await makeContest(t.database.db);
    const [question] = await makeQuestions(t.database.db, c.id, 1);
    const res = await call(t.app, 'PATCH', `/admin/questions/${question.id}`, org, {
      options: [
        { text: 'a', correct: false },
        { text: 'b', correct: false },
        { text: 'c', correct: false },
      ],
    });
    expect(res.statusCode).toBe(400);
    const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
    expect(row.options).toEqual(question.options);
  });

  it('deletes a question (204) and answers 404 after', async () => {
    const c = await makeContest(t.database.db);
    const [question] = await makeQuestions(t.database.db, c.id, 1);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/questions/${question.id}`, headers: bearer(org) });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/questions/${question.id}`, headers: bearer(org) })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/questions/${question.id}`, headers: bearer(org), payload: { topic: 'x' } })).statusCode,
    ).toBe(404);
  });

  it('locks questions of a round that has attempts (409 ROUND_LOCKED)', async () => {
    const c = await makeContest(t.database.db);
    const { round, pool } = await makeRound(t.database.db, c.id);
    const u = await makeResident(t.database.db);
    await t.database.db.insert(attempts).values({
      roundId: round.id,
      userId: u.id,
      attemptNo: 1,
      maxAttempts: round.maxAttempts,
      seed: 1,
      questionIds: pool.map((p) => p.id),
      startedAt: new Date(),
      deadline: new Date(Date.now() + 600_000),
    });
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/questions/${pool[0].id}`, headers: bearer(org), payload: { text: 'Sửa' } });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().code).toBe('ROUND_LOCKED');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/questions/${pool[0].id}`, headers: bearer(org) });
    expect(del.statusCode).toBe(409);
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/rounds/${round.id}/questions`,
      headers: bearer(org),
      payload: { questionIds: pool.map((p) => p.id).reverse() },
    });
    expect(put.statusCode).toBe(409);
    expect(put.json().code).toBe('ROUND_LOCKED');
    // The lists say so beforehand: the bank marks these questions, the pool is marked fixed.
    const [spare] = await makeQuestions(t.database.db, c.id, 1);
    const bank = (await call(t.app, 'GET', `/admin/contests/${c.id}/questions`, org)).json() as { id: string; locked: boolean }[];
    expect(new Map(bank.map((q) => [q.id, q.locked]))).toEqual(new Map([...pool.map((q) => [q.id, true] as const), [spare.id, false]]));
    expect((await call(t.app, 'GET', `/admin/rounds/${round.id}/questions`, org)).json().locked).toBe(true);
    const other = await makeRound(t.database.db, c.id);
    expect((await call(t.app, 'GET', `/admin/rounds/${other.round.id}/questions`, org)).json().locked).toBe(false);
  });

  // Each edit read the row unlocked and wrote back every field: the later one put the other's old fields back.
  it('two organizers editing different fields at once: both changes are kept', async () => {
    const c = await makeContest(t.database.db);
    for (let i = 0; i < 20; i++) {
      const [question] = await makeQuestions(t.database.db, c.id, 1);
      const text = `Nội dung đã sửa ${i}: chuyển đổi số là gì?`;
      const options = ['A', 'B', 'C', 'D'].map((x, k) => ({ text: `Phương án ${x} (sửa)`, correct: k === 2 }));
      const res = await Promise.all([
        call(t.app, 'PATCH', `/admin/questions/${question.id}`, org, { text }),
        call(t.app, 'PATCH', `/admin/questions/${question.id}`, org, { options }),
      ]);
      expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
      const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
      expect({ text: row.text, options: row.options.map(({ text, correct }) => ({ text, correct })) }).toEqual({ text, options });
    }
  });

  it('a key correction and a text edit at once: the corrected key stays', async () => {
    const c = await makeContest(t.database.db);
    for (let i = 0; i < 20; i++) {
      const [question] = await makeQuestions(t.database.db, c.id, 1);
      const target = question.options.find((o) => !o.correct)!.id;
      const text = `Sửa chính tả ${i}: chuyển đổi số là gì?`;
      const res = await Promise.all([
        call(t.app, 'POST', `/admin/questions/${question.id}/correction`, org, { correctOptionId: target, reason: 'Sai đáp án' }),
        call(t.app, 'PATCH', `/admin/questions/${question.id}`, org, { text }),
      ]);
      expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
      const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
      expect({ text: row.text, key: row.options.find((o) => o.correct)!.id }).toEqual({ text, key: target });
    }
  });
});

describe('PUT /admin/rounds/:roundId/questions', () => {
  it('sets the pool of an upcoming round and returns it in order', async () => {
    const c = await makeContest(t.database.db);
    const round = await makeUpcomingRound(c.id, 3);
    const bank = await makeQuestions(t.database.db, c.id, 4);
    const ids = [bank[2].id, bank[0].id, bank[3].id];
    const res = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/rounds/${round.id}/questions`, headers: bearer(org), payload: { questionIds: ids } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ roundId: round.id, size: 3, questionCount: 3 });
    expect(res.json().questions.map((x: { id: string }) => x.id)).toEqual(ids);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/questions`, headers: bearer(org) });
    expect(got.json().size).toBe(3);
  });

  it('rejects duplicates, foreign questions and a pool too small for an open round, changing nothing', async () => {
    const c = await makeContest(t.database.db);
    const other = await makeContest(t.database.db);
    const { round, pool } = await makeRound(t.database.db, c.id, { questionCount: 3 });
    const [foreign] = await makeQuestions(t.database.db, other.id, 1);
    const cases: [unknown, number, string][] = [
      [{ questionIds: [pool[0].id, pool[0].id, pool[1].id] }, 400, 'DUPLICATE_QUESTION'],
      [{ questionIds: [pool[0].id, pool[1].id, foreign.id] }, 400, 'UNKNOWN_QUESTION'],
      [{ questionIds: [pool[0].id] }, 409, 'POOL_TOO_SMALL'],
      [{ questionIds: 'all' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/rounds/${round.id}/questions`, headers: bearer(org), payload: payload as object });
      expect(res.statusCode, code).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const rows = await t.database.db.select().from(roundQuestions).where(eq(roundQuestions.roundId, round.id));
    expect(rows.length).toBe(3);
  });
});

describe('audit of pool changes', () => {
  it('carries the contest id, so filtering the log by contest finds them', async () => {
    const c = await makeContest(t.database.db);
    const round = await makeUpcomingRound(c.id, 1);
    const [q1] = await makeQuestions(t.database.db, c.id, 1);
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/rounds/${round.id}/questions`,
      headers: bearer(org),
      payload: { questionIds: [q1.id] },
    });
    expect(res.statusCode).toBe(200);
    const admin = tokenFor(t.app, await makeStaff(t.database.db, 'admin'));
    const log = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?contestId=${c.id}`, headers: bearer(admin) });
    expect(log.statusCode).toBe(200);
    expect(JSON.stringify(log.json())).toContain('round.pool');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { bearer, makeContest, makeStaff, tokenFor } from '../../helpers/factories';

let t: TestContext;
let organizer: string;
beforeAll(async () => {
  t = await makeTestApp();
  organizer = tokenFor(t.app, await makeStaff(t.database.db, 'organizer'));
});
afterAll(() => t.close());

const options = [{ text: 'x', correct: true }, { text: 'y', correct: false }, { text: 'z', correct: false }];

describe('POST /admin/contests/:contestId/questions with control characters', () => {
  it.each([
    ['text', { text: 'a\u0000b', options }],
    ['option', { text: 'Hỏi?', options: [{ text: 'x\u0000', correct: true }, ...options.slice(1)] }],
    ['explanation', { text: 'Hỏi?', options, explanation: 'giải\u0007thích' }],
  ])('answers 400, not 500, for a NUL or bell in the %s', async (_w, payload) => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(organizer), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('still keeps line breaks in an explanation', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(organizer), payload: { text: 'Hỏi?', options, explanation: 'Dòng 1\nDòng 2' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().explanation).toBe('Dòng 1\nDòng 2');
  });
});

describe('PUT /admin/contests/:contestId/exclusions with control characters', () => {
  it('stores a note without them instead of failing', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/contests/${c.id}/exclusions`, headers: bearer(organizer), payload: { entries: [{ phone: '0912345678', note: 'Ban\u0000tổ chức' }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().entries[0].note).toBe('Ban tổ chức');
  });
});

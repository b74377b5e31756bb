import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { questions } from '../../../db/schema/index';
import { memberToken, useTestApp } from '../../helpers/app';
import { makeContest } from '../../helpers/factories';
import { call } from '../../helpers/requests';

// A save's lint runs once the question is committed: a lint worker that fails then (out of
// memory on a huge bank) must not turn the saved question into a 500 that a client retries
// into a second copy. The worker is made to fail here; everything else is real.
const failing = vi.hoisted(() => ({ on: false }));
vi.mock('../../../server/src/lib/question-lint.isolated', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/src/lib/question-lint.isolated')>();
  return {
    ...real,
    lintQuestionIsolated: (...args: Parameters<typeof real.lintQuestionIsolated>) =>
      failing.on ? Promise.reject(new Error('the lint worker stopped with code 1')) : real.lintQuestionIsolated(...args),
  };
});

const t = useTestApp();
let org: string;
beforeAll(async () => (org = await memberToken(t, 'organizer')));

const body = (text: string) => ({
  text,
  options: [
    { text: '10/10', correct: true },
    { text: '1/10', correct: false },
    { text: '2/9', correct: false },
  ],
});

describe('a question saved while the lint fails', () => {
  it('is answered 201 / 200 without warnings, stored once, and the failure is logged', async () => {
    const c = await makeContest(t.database.db);
    const logged = vi.spyOn(t.app.log, 'error');
    failing.on = true;
    try {
      const created = await call(t.app, 'POST', `/admin/contests/${c.id}/questions`, org, body('Ngày Chuyển đổi số quốc gia là ngày nào?'));
      expect(created.statusCode).toBe(201);
      expect(created.json().warnings).toEqual([]);
      const updated = await call(t.app, 'PATCH', `/admin/questions/${created.json().id}`, org, { text: 'Ngày Chuyển đổi số quốc gia là ngày nào trong năm?' });
      expect(updated.statusCode).toBe(200);
      expect(updated.json().warnings).toEqual([]);
    } finally {
      failing.on = false;
    }
    const stored = await t.database.db.select().from(questions).where(eq(questions.contestId, c.id));
    expect(stored.map((q) => q.text)).toEqual(['Ngày Chuyển đổi số quốc gia là ngày nào trong năm?']);
    expect(logged.mock.calls.filter(([, msg]) => msg === 'question lint failed; answered without warnings')).toHaveLength(2);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { QUESTION_HEADERS } from '../../../server/src/lib/question-sheet';
import { useEmbeddedApp } from '../../helpers/app';
import { bearer, makeContest, makeRound, makeStaff, tokenFor, makeMemberStaff } from '../../helpers/factories';
import { multipart, xlsxOf } from '../../fixtures/sheets';

// The embedded default (PGlite, no Redis) runs the same SQL: import, stats and audit must work there too.
const e = useEmbeddedApp();
let token: string;
let adminToken: string;
beforeAll(async () => {
  token = tokenFor(e.app, await makeMemberStaff(e.database.db, 'organizer'));
  adminToken = tokenFor(e.app, await makeStaff(e.database.db, 'admin'));
});

describe('on PGlite', () => {
  it('imports a question file, reports progress, serves stats and the audit log', async () => {
    const c = await makeContest(e.database.db);
    const file = await xlsxOf([[...QUESTION_HEADERS], ['Hỏi một?', 'a', 'b', 'c', '', 'A'], ['Hỏi hai?', 'a', 'b', 'c', 'd', 'd']]);
    const m = multipart(file, 'q.xlsx');
    const res = await e.app.inject({
      method: 'POST',
      url: `/api/v1/admin/contests/${c.id}/questions/import?jobId=pglite-job-1`,
      headers: { ...m.headers, ...bearer(token) },
      payload: m.payload,
    });
    expect(res.json()).toMatchObject({ created: 2, errors: [] });
    const p = await e.app.inject({ method: 'GET', url: '/api/v1/admin/imports/pglite-job-1', headers: bearer(token) });
    expect(p.json()).toMatchObject({ phase: 'done', created: 2 });

    const { round } = await makeRound(e.database.db, c.id);
    const s = await e.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/stats`, headers: bearer(token) });
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ participants: 0, attempts: 0, submitted: 0 });

    const a = await e.app.inject({ method: 'GET', url: `/api/v1/admin/audit?contestId=${c.id}`, headers: bearer(adminToken) });
    expect(a.json().rows.map((r: { action: string }) => r.action)).toContain('question.import');
  });
});

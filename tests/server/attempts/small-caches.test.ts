import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions } from '../../../db/schema/index';
import { makeTestApp, useTestApp, type TestContext } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { call, start, submit, type Served } from '../../helpers/requests';

// TOKEN_CACHE_SIZE and ATTEMPT_CACHE_SIZE (issue #12) only trade memory for CPU: a process
// whose caches hold two entries answers exactly as one whose caches hold everything.

const t = useTestApp();
const db = () => t.database.db;

async function keyOf(served: Served): Promise<Map<string, string>> {
  const ids = served.questions.map((q) => q.id);
  const rows = await db().select().from(questions).where(inArray(questions.id, ids));
  return new Map(rows.map((q) => [q.id, q.options.find((o) => o.correct)!.id]));
}

describe.each([
  ['with Redis', true],
  ['without Redis', false],
])('caches of two entries (%s)', (_name, withRedis) => {
  let small: TestContext;
  beforeAll(async () => {
    small = await makeTestApp({
      database: t.database,
      withRedis,
      config: { JWT_EXPIRES_IN: '1h', STAFF_JWT_EXPIRES_IN: '30m', TRUST_PROXY: undefined, TOKEN_CACHE_SIZE: 2 },
      attempts: { attemptCacheSize: 2 },
    });
  });
  afterAll(() => small.close());

  it('start and submit of six residents in turn: the same scores, repeats and refusals as with large caches', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 3, maxAttempts: 2 }, 3);
    const people = await Promise.all(Array.from({ length: 6 }, () => makeResident(db())));
    const tokens = people.map((p) => tokenFor(small.app, p));

    // Every resident starts before anyone submits: each token and attempt has fallen out of
    // the caches by the time its submit comes.
    const served: Served[] = [];
    for (const token of tokens) {
      const res = await start(small.app, round.id, token);
      expect(res.statusCode).toBe(201);
      served.push(res.json() as Served);
    }
    for (let i = 0; i < tokens.length; i++) {
      const key = await keyOf(served[i]);
      // Resident i answers the first (i % 4) questions right, the others wrong or not at all.
      const right = i % 4;
      const choices = served[i].questions.map((q, j) => {
        const ok = q.options.findIndex((o) => o.id === key.get(q.id));
        return j < right ? ok : j === right ? (ok + 1) % q.options.length : null;
      });
      const res = await submit(small.app, served[i].attemptId, tokens[i], { choices, prediction: i });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ attemptId: served[i].attemptId, score: Math.min(right, 3), total: 3 });
      expect(res.json().duplicate).toBeUndefined();
    }
    // Repeats answer with the stored result, whoever fell out of the caches since.
    for (let i = tokens.length - 1; i >= 0; i--) {
      const again = await submit(small.app, served[i].attemptId, tokens[i], { choices: [0, 0, 0], prediction: 1 });
      expect(again.json()).toMatchObject({ duplicate: true, score: Math.min(i % 4, 3) });
    }
    // Another resident's attempt is still nobody else's, cached or not.
    const foreign = await submit(small.app, served[0].attemptId, tokens[1], { choices: [0, 0, 0], prediction: 1 });
    expect(foreign.statusCode).toBe(404);
  });

  it('a token with a changed payload is refused even while its genuine form is cached', async () => {
    const resident = await makeResident(db());
    const token = tokenFor(small.app, resident);
    expect((await call(small.app, 'GET', '/me', token)).statusCode).toBe(200);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url'), signature].join('.');
    const res = await call(small.app, 'GET', '/me', forged);
    expect(res.statusCode).toBe(401);
    expect((await call(small.app, 'GET', '/admin/users?q=0', forged)).statusCode).toBe(401);
    expect((await call(small.app, 'GET', '/me', token)).json().role).toBe('resident');
  });
});

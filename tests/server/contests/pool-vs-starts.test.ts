import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { attempts, questions, roundQuestions, rounds } from '../../../db/schema/index';
import { startAttempts } from '../../../server/src/modules/attempts/attempts.repo';
import { memberToken, useTestApp } from '../../helpers/app';
import { makeContest, makeQuestions, makeResident, makeRound } from '../../helpers/factories';
import { call } from '../../helpers/requests';

// The pool of a round and the questions in it may change until the round has attempts. The
// check ("no attempts yet") and the write must be one step as far as starts go: a start that
// commits between them would leave an attempt drawn from a pool, or a question, that changed
// after it.

const t = useTestApp();
const db = () => t.database.db;
let org: string;
beforeAll(async () => {
  org = await memberToken(t, 'organizer');
});

const poolOf = async (roundId: string) =>
  (await db().select().from(roundQuestions).where(eq(roundQuestions.roundId, roundId))).sort((a, b) => a.position - b.position).map((r) => r.questionId);

describe('PUT /admin/rounds/:roundId/questions twice at once', () => {
  it('answers 200 to both (no 500) and leaves one of the two pools, whole', async () => {
    // Each save deletes then inserts: interleaved, the second inserted rows the first had just inserted (23505).
    for (let i = 0; i < 20; i++) {
      const c = await makeContest(db());
      const { round } = await makeRound(db(), c.id, { opensAt: new Date(Date.now() + 3_600_000), questionCount: 3 }, 0);
      const qs = await makeQuestions(db(), c.id, 5);
      const a = qs.slice(0, 3).map((q) => q.id);
      const b = qs.slice(2, 5).map((q) => q.id);
      const res = await Promise.all([a, b].map((questionIds) => call(t.app, 'PUT', `/admin/rounds/${round.id}/questions`, org, { questionIds })));
      expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
      expect([a, b]).toContainEqual(await poolOf(round.id));
    }
  });
});

/**
 * A start caught between its insert and its commit: startAttempts (the hot path's own
 * statement, start_attempts()) inside a transaction left open on a connection of its own.
 * The transaction also holds the audit log (SHARE: no insert), which an organizer's change
 * writes after its check and its write: so the start commits exactly between the check and
 * the end of a change that does not wait for it, and the test can tell the two apart.
 */
async function startInFlight(roundId: string, questionIds: string[]) {
  const user = await makeResident(db());
  const client = postgres(t.database.url, { max: 1, onnotice: () => {} });
  drizzle(client); // as db/client.ts: drizzle's driver sets how JSON parameters are sent
  const conn = await client.reserve();
  const dialect = new PgDialect();
  const run = async <T>(q: ReturnType<typeof sql>) => {
    const { sql: text, params } = dialect.sqlToQuery(q);
    return (await conn.unsafe(text, params as never[])) as unknown as T[];
  };
  const [{ drawVersion: version }] = await db().select({ drawVersion: rounds.drawVersion }).from(rounds).where(eq(rounds.id, roundId));
  await conn`begin`;
  const [started] = await startAttempts({ hotRows: run } as Database, [
    { attemptId: randomUUID(), userId: user.id, roundId, seed: 7, questionIds, now: new Date(), version },
  ]);
  expect(started.kind).toBe('created');
  await run(sql`lock table audit_log in share mode`);
  return {
    async commit() {
      await conn`commit`;
      conn.release();
      await client.end({ timeout: 5 });
    },
  };
}

const outcome = (res: { statusCode: number; body: string }) => [res.statusCode, res.body ? JSON.parse(res.body).code : undefined];

/** Waits until some statement of the test's database waits for a lock, or `request` has answered. */
async function blockedOrAnswered(request: Promise<unknown>) {
  let answered = false;
  void request.finally(() => (answered = true));
  for (let i = 0; i < 400 && !answered; i++) {
    const [{ n }] = await t.database.rows<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a start committing while an organizer changes the round', () => {
  it('the pool is not replaced under an attempt: the save waits for the start, then 409 ROUND_LOCKED', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await makeContest(db());
      const { round, pool } = await makeRound(db(), c.id, { questionCount: 3 }, 3);
      const fresh = (await makeQuestions(db(), c.id, 3)).map((q) => q.id);
      const start = await startInFlight(
        round.id,
        pool.map((q) => q.id),
      );
      const put = call(t.app, 'PUT', `/admin/rounds/${round.id}/questions`, org, { questionIds: fresh });
      await blockedOrAnswered(put);
      await start.commit();
      const res = await put;
      expect(outcome(res)).toEqual([409, 'ROUND_LOCKED']);
      expect(await poolOf(round.id)).toEqual(pool.map((q) => q.id));
    }
  });

  it('a question is not edited under an attempt: the edit waits for the start, then 409 ROUND_LOCKED', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await makeContest(db());
      const { round, pool } = await makeRound(db(), c.id, { questionCount: 3 }, 3);
      const start = await startInFlight(
        round.id,
        pool.map((q) => q.id),
      );
      const patch = call(t.app, 'PATCH', `/admin/questions/${pool[0].id}`, org, { text: 'Nội dung sửa sau khi đã có người thi?' });
      await blockedOrAnswered(patch);
      await start.commit();
      const res = await patch;
      expect(outcome(res)).toEqual([409, 'ROUND_LOCKED']);
      const [row] = await db().select().from(questions).where(eq(questions.id, pool[0].id));
      expect(row.text).toBe(pool[0].text);
    }
  });

  it('a question is not deleted under an attempt: the deletion waits for the start, then 409 ROUND_LOCKED', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await makeContest(db());
      const { round, pool } = await makeRound(db(), c.id, { questionCount: 3 }, 3);
      const start = await startInFlight(
        round.id,
        pool.map((q) => q.id),
      );
      const del = call(t.app, 'DELETE', `/admin/questions/${pool[0].id}`, org);
      await blockedOrAnswered(del);
      await start.commit();
      const res = await del;
      expect(outcome(res)).toEqual([409, 'ROUND_LOCKED']);
      expect(await poolOf(round.id)).toEqual(pool.map((q) => q.id));
      expect(await db().select({ id: attempts.id }).from(attempts).where(eq(attempts.roundId, round.id))).toHaveLength(1);
    }
  });
});

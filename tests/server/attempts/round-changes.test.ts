import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { attempts, questions, rounds, submissions } from '../../../db/schema/index';
import { insertSubmissions, startAttemptsSettled, type SubmissionRow } from '../../../server/src/modules/attempts/attempts.repo';
import { useTestApp } from '../../helpers/app';
import { makeContest, makeMemberStaff, makeQuestions, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { makeExclusion } from '../../helpers/results-factories';
import { call, firstOptions, start, submit, type Served } from '../../helpers/requests';

// What an organizer changes while the hot path holds an older copy of the round (its cache
// lives a few seconds), and what closing early or extra time meet on the way: starts and
// submits in flight. Migration 0024 (draw_version, the round read FOR KEY SHARE) and the
// attempts locked before their deadlines move (contests.repo lockUnsubmittedAttempts).

const t = useTestApp({
  limits: { startPerUser: { limit: 10_000, windowMs: 60_000 }, submitPerUser: { limit: 10_000, windowMs: 60_000 } },
});
const db = () => t.database.db;
let orgTok: string;
beforeAll(async () => {
  orgTok = tokenFor(t.app, await makeMemberStaff(db(), 'organizer'));
});

/** An open round already in the hot path's cache, with no attempt yet (an excluded resident's refused start loaded it). */
async function cachedRound(questionCount = 5) {
  const c = await makeContest(db());
  const { round, pool } = await makeRound(db(), c.id, { questionCount, timeLimitSeconds: 600 }, questionCount);
  const staffer = await makeResident(db());
  await makeExclusion(db(), c.id, { nationalId: staffer.nationalId });
  expect((await start(t.app, round.id, tokenFor(t.app, staffer))).statusCode).toBe(403);
  return { c, round, pool };
}

const startAs = async (roundId: string) => {
  const tok = tokenFor(t.app, await makeResident(db()));
  const res = await start(t.app, roundId, tok);
  return { res, tok, served: res.json() as Served };
};

describe('a start draws from the round as it is, not from an older cached copy', () => {
  it('after the pool is swapped', async () => {
    const { c, round, pool } = await cachedRound();
    const fresh = await makeQuestions(db(), c.id, 5);
    expect((await call(t.app, 'PUT', `/admin/rounds/${round.id}/questions`, orgTok, { questionIds: fresh.map((q) => q.id) })).statusCode).toBe(200);
    const { res, served } = await startAs(round.id);
    expect(res.statusCode).toBe(201);
    expect(served.questions.map((q) => q.id).sort()).toEqual(fresh.map((q) => q.id).sort());
    expect(served.questions.some((q) => pool.some((p) => p.id === q.id))).toBe(false);
  });

  it('after the question count changes', async () => {
    const { round } = await cachedRound(5);
    expect((await call(t.app, 'PATCH', `/admin/rounds/${round.id}`, orgTok, { questionCount: 3 })).statusCode).toBe(200);
    const { served } = await startAs(round.id);
    expect(served.questions).toHaveLength(3);
    const [a] = await db().select().from(attempts).where(eq(attempts.id, served.attemptId));
    expect(a.questionIds).toHaveLength(3);
  });

  it('after a question is rewritten: the options served are the stored ones, and their submit is accepted', async () => {
    const { round, pool } = await cachedRound();
    const q0 = pool[0];
    const edit = await call(t.app, 'PATCH', `/admin/questions/${q0.id}`, orgTok, {
      options: q0.options.map((o, k) => ({ text: `${o.text} (sửa)`, correct: k === 1 })),
    });
    expect(edit.statusCode).toBe(200);
    const { tok, served } = await startAs(round.id);
    const [stored] = await db().select().from(questions).where(eq(questions.id, q0.id));
    const shown = served.questions.find((q) => q.id === q0.id)!;
    expect(shown.options.map((o) => o.id).sort()).toEqual(stored.options.map((o) => o.id).sort());
    const ids = served.questions.map((q) => ({ questionId: q.id, optionId: q.options[0].id }));
    const res = await submit(t.app, served.attemptId, tok, { answers: ids, prediction: 1 });
    expect(res.statusCode).toBe(200);
  });

  it('start_attempts() creates nothing from another draw version (kind stale)', async () => {
    const c = await makeContest(db());
    const { round, pool } = await makeRound(db(), c.id, {}, 5);
    const user = await makeResident(db());
    const req = { attemptId: randomUUID(), userId: user.id, roundId: round.id, seed: 3, questionIds: pool.map((q) => q.id), now: new Date() };
    expect(await startAttemptsSettled(t.database, [{ ...req, version: round.drawVersion - 1 }])).toEqual([{ kind: 'stale' }]);
    expect(await db().select().from(attempts).where(eq(attempts.roundId, round.id))).toEqual([]);
    const [created] = await startAttemptsSettled(t.database, [{ ...req, version: round.drawVersion }]);
    expect(created).toMatchObject({ kind: 'created' });
  });
});

/** A transaction of its own (a second connection), left open until `end` is called. */
async function openTransaction(database: Database) {
  const url = (database as Database & { url: string }).url;
  const client = postgres(url, { max: 1, onnotice: () => {} });
  drizzle(client);
  const conn = await client.reserve();
  await conn`begin`;
  const dialect = new PgDialect();
  return {
    run: (q: Parameters<Database['hotRows']>[0]) => {
      const { sql: text, params } = dialect.sqlToQuery(q);
      return conn.unsafe(text, params as never[]);
    },
    inTx: {
      ...database,
      hotRows: async <T>(q: Parameters<Database['hotRows']>[0]) => {
        const { sql: text, params } = dialect.sqlToQuery(q);
        return (await conn.unsafe(text, params as never[])) as unknown as T[];
      },
    } as Database,
    end: async (how: 'commit' | 'rollback' = 'commit') => {
      await conn.unsafe(how);
      conn.release();
      await client.end({ timeout: 5 });
    },
  };
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

describe('closing early, with starts in flight', () => {
  it('a start meeting a round held for a change waits, then creates nothing from the old round', async () => {
    const c = await makeContest(db());
    const { round, pool } = await makeRound(db(), c.id, { timeLimitSeconds: 600 }, 5);
    const user = await makeResident(db());
    const closesAt = new Date(Date.now() + 60_000);
    const close = await openTransaction(t.database);
    await close.run(sql`select id from rounds where id = ${round.id} for update`);
    await close.run(sql`update rounds set closes_at = ${closesAt.toISOString()}::timestamptz where id = ${round.id}`);
    const req = {
      attemptId: randomUUID(),
      userId: user.id,
      roundId: round.id,
      seed: 3,
      questionIds: pool.map((q) => q.id),
      now: new Date(),
      version: round.drawVersion,
    };
    const starting = startAttemptsSettled(t.database, [req]);
    expect(await settledWithin(starting, 300)).toBe(false);
    await close.end();
    expect(await starting).toEqual([{ kind: 'stale' }]);
    const [r] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    const [again] = await startAttemptsSettled(t.database, [{ ...req, attemptId: randomUUID(), now: new Date(), version: r.drawVersion }]);
    expect(again).toMatchObject({ kind: 'created' });
    if (again instanceof Error || again.kind !== 'created') throw again;
    expect(again.attempt.deadlineMs).toBeLessThanOrEqual(closesAt.getTime());
  });

  it('no attempt started around an early close keeps a deadline past it', async () => {
    let escaped = 0;
    for (let i = 0; i < 6; i++) {
      const c = await makeContest(db());
      const { round } = await makeRound(db(), c.id, { timeLimitSeconds: 600 }, 5);
      const people = await Promise.all(Array.from({ length: 24 }, () => makeResident(db())));
      await start(t.app, round.id, tokenFor(t.app, people[0]));
      const closesAt = new Date(Date.now() + 2_000);
      const starts = people.slice(1).map((p, k) => new Promise((r) => setTimeout(r, k * 3)).then(() => start(t.app, round.id, tokenFor(t.app, p))));
      const patch = new Promise((r) => setTimeout(r, 25)).then(() =>
        call(t.app, 'PATCH', `/admin/rounds/${round.id}`, orgTok, { closesAt: closesAt.toISOString() }),
      );
      const answers = await Promise.all([...starts, patch]);
      expect(answers.filter((a) => a.statusCode >= 500)).toEqual([]);
      const late = await db()
        .select({ id: attempts.id })
        .from(attempts)
        .where(sql`${attempts.roundId} = ${round.id} and ${attempts.deadline} > ${closesAt.toISOString()}::timestamptz`);
      escaped += late.length;
    }
    expect(escaped).toBe(0);
  });
});

describe('deadlines moved while a submission is being written', () => {
  /** A resident's running attempt with its submission written but not committed (the writer's transaction, held open). */
  async function submissionInFlight() {
    const c = await makeContest(db());
    const { round } = await makeRound(db(), c.id, { timeLimitSeconds: 600, questionCount: 2 }, 2);
    const resident = await makeResident(db());
    const served = (await start(t.app, round.id, tokenFor(t.app, resident))).json() as Served;
    const row: SubmissionRow = {
      attemptId: served.attemptId,
      roundId: round.id,
      userId: resident.id,
      choices: Buffer.from([0, 0]),
      answersSeq: null,
      answersSet: null,
      prediction: 1,
      score: 1,
      total: 2,
      submittedAt: new Date(),
      durationMs: 1000,
    };
    const tx = await openTransaction(t.database);
    expect(await insertSubmissions(tx.inTx, [row])).toEqual(new Set([served.attemptId]));
    const [a] = await db().select({ deadline: attempts.deadline }).from(attempts).where(eq(attempts.id, served.attemptId));
    return { round, resident, served, tx, deadline: a.deadline };
  }

  it('closing early waits for it, then leaves the submitted attempt as it was', async () => {
    const { round, served, tx, deadline } = await submissionInFlight();
    const patch = call(t.app, 'PATCH', `/admin/rounds/${round.id}`, orgTok, { closesAt: new Date(Date.now() - 1_000).toISOString() });
    expect(await settledWithin(patch, 300)).toBe(false);
    await tx.end();
    expect((await patch).statusCode).toBe(200);
    const [a] = await db().select({ deadline: attempts.deadline }).from(attempts).where(eq(attempts.id, served.attemptId));
    expect(a.deadline).toEqual(deadline);
    expect(await db().select().from(submissions).where(eq(submissions.attemptId, served.attemptId))).toHaveLength(1);
  });

  it('extra time for the resident waits for it, then extends nothing already submitted', async () => {
    const { round, resident, served, tx, deadline } = await submissionInFlight();
    const grant = call(t.app, 'POST', `/admin/rounds/${round.id}/overrides`, orgTok, {
      phone: resident.phone,
      extraAttempts: 0,
      extraSeconds: 120,
      reason: 'Mất mạng',
    });
    expect(await settledWithin(grant, 300)).toBe(false);
    await tx.end();
    const res = await grant;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ extendedAttempts: 0 });
    const [a] = await db().select({ deadline: attempts.deadline }).from(attempts).where(eq(attempts.id, served.attemptId));
    expect(a.deadline).toEqual(deadline);
  });

  it('a submit racing the close or the extra time never meets a 5xx', async () => {
    const c = await makeContest(db());
    const { round } = await makeRound(db(), c.id, { timeLimitSeconds: 600, maxAttempts: 1 }, 5);
    const people = await Promise.all(Array.from({ length: 30 }, () => makeResident(db())));
    const served = await Promise.all(
      people.map(async (p) => ({ p, tok: tokenFor(t.app, p), a: (await start(t.app, round.id, tokenFor(t.app, p))).json() as Served })),
    );
    const answers = await Promise.all([
      ...served.map((s, k) => new Promise((r) => setTimeout(r, k)).then(() => submit(t.app, s.a.attemptId, s.tok, firstOptions(s.a)))),
      ...served
        .slice(0, 10)
        .map((s, k) =>
          new Promise((r) => setTimeout(r, 2 * k)).then(() =>
            call(t.app, 'POST', `/admin/rounds/${round.id}/overrides`, orgTok, { phone: s.p.phone, extraAttempts: 0, extraSeconds: 60, reason: 'Mất mạng' }),
          ),
        ),
      new Promise((r) => setTimeout(r, 15)).then(() =>
        call(t.app, 'PATCH', `/admin/rounds/${round.id}`, orgTok, { closesAt: new Date(Date.now() + 1_000).toISOString() }),
      ),
    ]);
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
  });
});

import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, rawRows, type Database } from '../../../db/client';
import { attempts, type Question } from '../../../db/schema/index';
import { leanAnswers } from '../../../server/src/lib/choices';
import { grade, type Answer } from '../../../server/src/lib/scoring';
import { insertSubmissions } from '../../../server/src/modules/attempts/attempts.repo';
import { makeTestApp } from '../../helpers/app';
import { migrateUpTo, migrationIdx, ScratchDatabases } from '../../helpers/migrations';
import { bearer, makeContest, makeMemberStaff, makeResident, tokenFor } from '../../helpers/factories';
import { makeClosedRound, storedAnswers } from '../../helpers/results-factories';

/**
 * Issue #12 "lean storage": the same answers stored the old way (a jsonb list, converted by
 * migration 0016) and the new way (written by the attempts module's repo) finalize to the
 * same ranking, flags and checksum, and read back as the same answers.
 */

const scratch = new ScratchDatabases();
afterAll(() => scratch.dropAll());

interface Sub {
  attemptId: string;
  userId: string;
  questionIds: string[];
  answers: Answer[];
  prediction: number;
  durationMs: number;
  score: number;
}

const HOUR = 3_600_000;

describe('lean storage of answers (migration 0016)', () => {
  it('converts jsonb answers to the bytes and signatures the API writes: same answers, flags, ranking and checksum', async () => {
    // The database as it stood before the migration, with everything but the submissions.
    const before = await scratch.create();
    await migrateUpTo(before, migrationIdx('lean_submissions') - 1);
    // The factories write today's schema: columns added since (migration 0024's draw_version)
    // stand in until the real migrations run below, and are dropped before them.
    const LATER_COLUMNS = sql`alter table rounds add column draw_version integer not null default 0`;
    await rawRows(before.db, LATER_COLUMNS);
    const db = before.db;
    const judge = await makeMemberStaff(db, 'judge');
    const contest = await makeContest(db, { onePrizePerPerson: false });
    const { round, pool } = await makeClosedRound(
      db,
      contest.id,
      {
        questionCount: 5,
        prizes: [
          { name: 'Giải Nhất', count: 1 },
          { name: 'Giải Nhì', count: 3 },
        ],
      },
      7,
    );
    const keyOf = (q: Question) => q.options.find((o) => o.correct)!.id;
    const byId = new Map(pool.map((q) => [q.id, q]));
    const keyFn = (id: string) => {
      const q = byId.get(id);
      return q && { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: keyOf(q) };
    };

    // Crafted to raise every flag: two accounts with one order and one answer list, one more
    // with that list in another order, a farm of three with near predictions, one too fast.
    const order = (k: number) => [...pool.slice(k), ...pool.slice(0, k)].slice(0, 5);
    const pick = (qs: Question[], f: (q: Question, i: number) => number | null): Answer[] =>
      qs.flatMap((q, i) => {
        const o = f(q, i);
        return o === null ? [] : [{ questionId: q.id, optionId: q.options[o].id }];
      });
    const right = (q: Question) => q.options.findIndex((o) => o.correct);
    const plans: { qs: Question[]; answers: Answer[]; prediction: number; durationMs: number }[] = [];
    const same = order(0);
    const sameAnswers = pick(same, (q, i) => (i === 4 ? (right(q) + 1) % q.options.length : right(q)));
    plans.push({ qs: same, answers: sameAnswers, prediction: 10, durationMs: 60_000 });
    plans.push({ qs: same, answers: sameAnswers, prediction: 900, durationMs: 61_000 });
    const rotated = [...same.slice(2), ...same.slice(0, 2)];
    plans.push({
      qs: rotated,
      answers: pick(rotated, (q) => (q.id === same[4].id ? (right(q) + 1) % q.options.length : right(q))),
      prediction: 4000,
      durationMs: 62_000,
    });
    const farm = order(1);
    for (const [i, p] of [20_000, 20_050, 20_101].entries()) {
      const qs = [...farm.slice(i + 1), ...farm.slice(0, i + 1)];
      plans.push({ qs, answers: pick(qs, (q) => (farm.indexOf(q) < 3 ? right(q) : 0)), prediction: p, durationMs: 70_000 + i });
    }
    plans.push({ qs: order(3), answers: pick(order(3), right), prediction: 77, durationMs: 3_000 });
    plans.push({ qs: order(5), answers: pick(order(5), (q, i) => (i % 2 ? null : right(q))), prediction: 5, durationMs: 80_000 });
    plans.push({ qs: order(6), answers: [], prediction: 6, durationMs: 90_000 });

    const subs: Sub[] = [];
    const closes = round.closesAt.getTime();
    for (const [i, p] of plans.entries()) {
      const user = await makeResident(db);
      const questionIds = p.qs.map((q) => q.id);
      const g = grade(questionIds, p.answers, keyFn);
      if (!g.ok) throw new Error('crafted answers do not grade');
      const startedAt = new Date(closes - 2 * HOUR + i * 1000);
      const [a] = await db
        .insert(attempts)
        .values({
          roundId: round.id,
          userId: user.id,
          attemptNo: 1,
          maxAttempts: round.maxAttempts,
          seed: 1,
          questionIds,
          startedAt,
          deadline: new Date(startedAt.getTime() + HOUR),
        })
        .returning();
      subs.push({ attemptId: a.id, userId: user.id, questionIds, answers: p.answers, prediction: p.prediction, durationMs: p.durationMs, score: g.score });
    }
    await before.close();

    // A twin of it, then the old rows in one and the new rows in the other.
    const after = await scratch.create(before.name);
    const old = await createDatabase({ url: before.url, max: 4 });
    scratch.track(before.name, old);
    for (const s of subs) {
      await rawRows(
        old.db,
        sql`insert into submissions (attempt_id, round_id, user_id, answers, prediction, score, total, deadline, submitted_at, duration_ms)
            select a.id, a.round_id, a.user_id, ${JSON.stringify(s.answers)}::jsonb, ${s.prediction}, ${s.score}, 5, a.deadline, a.started_at + ${s.durationMs} * interval '1 ms', ${s.durationMs}
            from attempts a where a.id = ${s.attemptId}`,
      );
    }
    const oldSigs = await rawRows<{ attempt_id: string; seq: string | null; set: string | null }>(
      old.db,
      sql`select attempt_id, answers_seq::text as seq, answers_set::text as set from submissions`,
    );
    await rawRows(old.db, sql`alter table rounds drop column draw_version`);
    await migrateDatabase(old);

    await rawRows(after.db, sql`alter table rounds drop column draw_version`);
    await migrateDatabase(after);
    const optionIndex = (q: string, o: string) => byId.get(q)!.options.findIndex((x) => x.id === o);
    const inserted = await insertSubmissions(
      after,
      subs.map((s) => ({
        attemptId: s.attemptId,
        roundId: round.id,
        userId: s.userId,
        ...leanAnswers(s.questionIds, s.answers, optionIndex),
        prediction: s.prediction,
        score: s.score,
        total: 5,
        submittedAt: new Date(closes - 2 * HOUR + subs.indexOf(s) * 1000 + s.durationMs),
        durationMs: s.durationMs,
      })),
    );
    expect(inserted.size).toBe(subs.length);

    // Row by row: the same bytes and signatures, and the same answers read back.
    const rowsOf = (d: Database) =>
      rawRows<{ attempt_id: string; choices: string; seq: string | null; set: string | null }>(
        d.db,
        sql`select attempt_id, encode(choices, 'hex') as choices, answers_seq::text as seq, answers_set::text as set from submissions order by attempt_id`,
      );
    const [oldRows, newRows] = await Promise.all([rowsOf(old), rowsOf(after)]);
    expect(oldRows).toEqual(newRows);
    expect(oldRows).toHaveLength(subs.length);
    for (const s of subs) {
      expect(await storedAnswers(old.db, s.attemptId)).toEqual(s.answers);
      expect(await storedAnswers(after.db, s.attemptId)).toEqual(s.answers);
    }

    // The signatures group the rows as the old generated columns did.
    const partition = (rows: { attempt_id: string; seq: string | null; set: string | null }[], k: 'seq' | 'set') => {
      const groups = new Map<string, string[]>();
      for (const r of rows) if (r[k] !== null) groups.set(r[k]!, [...(groups.get(r[k]!) ?? []), r.attempt_id].sort());
      return [...groups.values()].map((g) => g.join(',')).sort();
    };
    expect(partition(newRows, 'seq')).toEqual(partition(oldSigs, 'seq'));
    expect(partition(newRows, 'set')).toEqual(partition(oldSigs, 'set'));

    // Finalized both ways: one ranking, one checksum, the flags the TypeScript twin gives.
    const results = [];
    for (const database of [{ ...old, name: before.name, url: before.url, destroy: () => old.close() }, after]) {
      const t = await makeTestApp({ database });
      try {
        const headers = bearer(tokenFor(t.app, judge));
        const fin = await t.app.inject({ method: 'POST', url: `/api/v1/judge/rounds/${round.id}/finalize`, headers });
        expect(fin.statusCode).toBe(200);
        const ranking = await t.app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${round.id}/ranking?limit=100`, headers });
        expect(ranking.statusCode).toBe(200);
        results.push({ checksum: fin.json().checksum as string, rows: ranking.json().rows as { attemptId: string; rank: number | null; flags: string[] }[] });
      } finally {
        await t.close();
      }
    }
    expect(results[0].checksum).toBe(results[1].checksum);
    expect(results[0].rows).toEqual(results[1].rows);
    const flagsOf = new Map(results[0].rows.map((r) => [r.attemptId, r.flags]));
    expect(flagsOf.get(subs[0].attemptId)).toContain('same_answers_same_order');
    expect(flagsOf.get(subs[1].attemptId)).toContain('same_answers_same_order');
    expect(flagsOf.get(subs[2].attemptId)).not.toContain('same_answers_same_order');
    for (const i of [3, 4, 5]) expect(flagsOf.get(subs[i].attemptId)).toContain('answer_farm');
    expect(flagsOf.get(subs[6].attemptId)).toContain('too_fast');
  });
});

// Correct the key of a question drawn by 1,000,000 submitted attempts (300,000 residents,
// 20 questions each): the dry run (regrade, prize preview, rollback), the correction, a
// void, and the item analysis of the round. Builds a throwaway database (generate_series),
// prints the times, drops the database.
//   npm run bench:regrade [-- --submissions 1000000 --users 300000 --analysis]
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { attemptsPerResident, benchContestAndRound, scratchDatabase, SUBMISSION_OPTIONS } from './scratch';
import { finalizeRound } from '../server/src/modules/judging/finalize.service';
import { correctQuestion, itemAnalysis } from '../server/src/modules/items/items.service';

const { values: args } = parseArgs({
  options: {
    ...SUBMISSION_OPTIONS,
    // The item analysis unnests every answer list (20 rows per submission): slow on purpose-built data, opt in.
    analysis: { type: 'boolean', default: false },
  },
});
const SUBMISSIONS = Number(args.submissions);
const USERS = Number(args.users);
const MAX_ATTEMPTS = attemptsPerResident(SUBMISSIONS, USERS);

const ms = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

const { database, finish } = await scratchDatabase('regrade');
try {
  const t0 = performance.now();
  const { contestId, roundId } = await benchContestAndRound(database, MAX_ATTEMPTS, { places: false });
  // 20 questions with UUID ids, options "<id>-0".."<id>-3", the key "-0".
  await database.rows(sql`
    insert into questions (id, contest_id, text, options)
    select md5('q' || k)::uuid::text, ${contestId}, 'Câu hỏi ' || k,
      (select jsonb_agg(jsonb_build_object('id', md5('q' || k)::uuid::text || '-' || o, 'text', 'Phương án ' || o, 'correct', o = 0) order by o) from generate_series(0, 3) o)
    from generate_series(1, 20) k`);
  await database.rows(
    sql`insert into round_questions (round_id, question_id, position) select ${roundId}, md5('q' || k)::uuid::text, k from generate_series(1, 20) k`,
  );
  await database.rows(sql`
    insert into users (id, full_name, phone, password_hash, national_id, birth_year)
    select md5('u' || i)::uuid::text, 'Nguyễn Thị Người Dự Thi ' || i, '09' || lpad(i::text, 8, '0'), 'x', '0380' || lpad(i::text, 8, '0'), 1990
    from generate_series(1, ${USERS}) i`);
  await database.rows(sql`
    insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
    select md5('a' || i)::uuid::text, ${roundId}, md5('u' || (1 + i % ${USERS}))::uuid::text, 1 + i / ${USERS}, ${MAX_ATTEMPTS}, 0,
           (select array_agg(md5('q' || k)::uuid::text order by k) from generate_series(1, 20) k),
           now() - interval '7 days' + (i % 500000) * interval '1 second', now() - interval '7 days' + (i % 500000) * interval '1 second' + interval '20 minutes'
    from generate_series(0, ${SUBMISSIONS - 1}) i`);
  console.log(`attempts: ${SUBMISSIONS} (${ms(t0)})`);
  // Each answer is the key ("-0") about 60 % of the time; scores are graded from the answers.
  await database.rows(sql`
    insert into submissions (attempt_id, round_id, user_id, attempt_no, choices, answers_seq, answers_set, prediction, score, total, deadline, submitted_at, duration_ms)
    select a.id, a.round_id, a.user_id, a.attempt_no, x.choices, x.seq, x.set, abs(hashtext(a.id || 'p')) % 120000, x.score, 20, a.deadline,
      a.started_at + (abs(hashtext(a.id || 'd')) % 1200) * interval '1 second', (abs(hashtext(a.id || 'd')) % 1200) * 1000
    from attempts a cross join lateral (
      -- Stored as the API stores answers (lib/choices.ts): option indexes in byte order of the question ids, signatures.
      select decode(string_agg(lpad(to_hex(q.o), 2, '0'), '' order by q.id collate "C"), 'hex') as choices,
        answer_signature(string_agg(q.id || chr(31) || q.id || '-' || q.o, chr(30) order by q.k)) as seq,
        answer_signature(string_agg(q.id || chr(31) || q.id || '-' || q.o, chr(30) order by q.id collate "C")) as set,
        (count(*) filter (where q.o = 0))::int as score
      from (select k, md5('q' || k)::uuid::text as id, least(3, greatest(0, abs(hashtext(a.id || k::text)) % 10 - 5)) as o from generate_series(1, 20) k) q
    ) x
    where a.round_id = ${roundId}`);
  await database.rows(sql`vacuum analyze`);
  console.log(`data ready: ${SUBMISSIONS} submissions by ${USERS} residents (${ms(t0)})`);

  {
    const t = performance.now();
    const r = await finalizeRound(database.db, null, roundId);
    console.log(`finalize: ${ms(t)} — actualCount ${r.actualCount}, checksum ${r.checksum.slice(0, 16)}…`);
  }
  const q1 = (await database.rows<{ id: string }>(sql`select md5('q1')::uuid::text as id`))[0].id;
  const q2 = (await database.rows<{ id: string }>(sql`select md5('q2')::uuid::text as id`))[0].id;
  {
    const t = performance.now();
    const r = await correctQuestion(database.db, null, q1, { correctOptionId: `${q1}-1`, reason: 'bench' }, true);
    const c = r.changes![0];
    console.log(
      `dry run (regrade + prize preview, rolled back): ${ms(t)} — regraded ${r.regraded}, scores changed ${c.scoresChanged}, prize rows changed ${c.prizeRowsChanged}`,
    );
  }
  {
    const t = performance.now();
    const r = await correctQuestion(database.db, null, q1, { correctOptionId: `${q1}-1`, reason: 'bench' }, false);
    console.log(`correction (new key): ${ms(t)} — regraded ${r.regraded}, scores changed ${r.scoresChanged}`);
  }
  {
    const t = performance.now();
    const r = await correctQuestion(database.db, null, q2, { voided: true, reason: 'bench' }, false);
    console.log(`correction (void): ${ms(t)} — regraded ${r.regraded}, scores changed ${r.scoresChanged}`);
  }
  {
    const t = performance.now();
    const r = await finalizeRound(database.db, null, roundId);
    console.log(`finalize after the corrections: ${ms(t)} — actualCount ${r.actualCount}, checksum ${r.checksum.slice(0, 16)}…`);
  }
  if (args.analysis) {
    const t = performance.now();
    const rows = await itemAnalysis(database.db, roundId);
    console.log(`item analysis: ${ms(t)} — ${rows.length} questions, flagged ${rows.filter((r) => r.flags.length).length}`);
  }
} finally {
  await finish(args.keep);
}

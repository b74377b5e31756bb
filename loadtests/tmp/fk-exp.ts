import { sql } from 'drizzle-orm';
import { scratchDatabase, benchContestAndRound } from '../scratch';
import { insertSubmissions } from '../../server/src/modules/attempts/attempts.repo';
const { database, finish } = await scratchDatabase('fkexp');
try {
  const N = 60000;
  const { roundId } = await benchContestAndRound(database, 1);
  await database.rows(sql`insert into users (id, full_name, phone, password_hash, national_id, birth_year) select md5('u' || i)::uuid::text, 'N ' || i, '09' || lpad(i::text, 8, '0'), 'x', '0380' || lpad(i::text, 8, '0'), 1990 from generate_series(1, ${N}) i`);
  await database.rows(sql`update rounds set opens_at = now() - interval '1 day', closes_at = now() + interval '1 day' where id = ${roundId}`);
  await database.rows(sql`insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
    select md5('a' || i)::uuid::text, ${roundId}, md5('u' || i)::uuid::text, 1, 1, 0, '{}', now() - interval '1 minute', now() + interval '20 minutes' from generate_series(1, ${N}) i`);
  await database.rows(sql`vacuum analyze`);
  const ids = await database.rows<{ id: string; user_id: string }>(sql`select id, user_id from attempts order by id`);
  const row = (a: { id: string; user_id: string }) => ({ attemptId: a.id, roundId, userId: a.user_id, choices: Buffer.alloc(20, 1), answersSeq: 123n, answersSet: 456n, prediction: 5, score: 10, total: 20, submittedAt: new Date(), durationMs: 1000, clientIp: '127.0.0.1', deviceId: null });
  const B = Number(process.env.B ?? 20);
  async function run(label: string, from: number, to: number) {
    const t = performance.now();
    for (let i = from; i < to; i += B) await insertSubmissions(database, ids.slice(i, Math.min(to, i + B)).map(row));
    console.log(label, ((performance.now() - t) * 1000 / (to - from)).toFixed(1), 'us/row wall (batch', B, ')');
  }
  await run('warm', 0, 5000);
  await run('with fk', 5000, 25000);
  await database.rows(sql`alter table submissions drop constraint submissions_attempt_fk`);
  await run('no fk', 25000, 45000);
  await database.rows(sql`drop index submissions_round_submitted_idx`);
  await run('no fk, no submitted idx', 45000, 60000);
} finally { await finish(); }

// Finalize a round of 1,000,000 submitted attempts by 300,000 residents, then export its
// full ranking as XLSX into a stream that only counts bytes. Builds a throwaway database
// (generate_series), prints the times and the peak memory, drops the database.
//   npm run bench:finalize [-- --submissions 1000000 --users 300000 --formats xlsx,csv,pdf]
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { attemptsPerResident, benchContestAndRound, scratchDatabase, SUBMISSION_OPTIONS } from './scratch';
import { writeExport, type ExportFormat } from '../server/src/modules/exports/index';
import { finalizeRound } from '../server/src/modules/judging/finalize.service';

const { values: args } = parseArgs({
  options: {
    ...SUBMISSION_OPTIONS,
    formats: { type: 'string', default: 'xlsx' },
  },
});
const SUBMISSIONS = Number(args.submissions);
const USERS = Number(args.users);
const MAX_ATTEMPTS = attemptsPerResident(SUBMISSIONS, USERS);
const FORMATS = args.formats.split(',') as ExportFormat[];

// 20 answers per submission with UUID-long ids, the option chosen per attempt and question.
/**
 * 20 answers an attempt as the attempts module stores them (lib/choices.ts): one byte per
 * question in byte order of the ids, and the fair-play signatures over the answers in the
 * order served and in id order (migration 0016's answer_signature = lib/choices.ts signature).
 */
const ANSWERS = sql.raw(
  `(select decode(string_agg(lpad(to_hex(q.o), 2, '0'), '' order by q.id collate "C"), 'hex') as choices,
       answer_signature(string_agg(q.id || chr(31) || q.id || '-' || q.o, chr(30) order by q.k)) as seq,
       answer_signature(string_agg(q.id || chr(31) || q.id || '-' || q.o, chr(30) order by q.id collate "C")) as set
     from (select k, md5('q' || k)::uuid::text as id, abs(hashtext(attempts.id || k::text)) % 4 as o from generate_series(1, 20) k) q)`,
);
/** The answer-set signature every all-correct submission shares (any fixed bigint will do). */
const ALL_CORRECT_SET = sql.raw(`answer_signature('all-correct')`);
const ms = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** Samples this process's RSS while `fn` runs: the peak, and where it started. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, before, peak };
  } finally {
    clearInterval(timer);
  }
}

const { database, finish } = await scratchDatabase('finalize');
try {
  const t0 = performance.now();
  const { contestId, roundId } = await benchContestAndRound(database, MAX_ATTEMPTS, { onePrizePerPerson: true });
  await database.rows(sql`
    with l as (select array_agg(id order by name) a from localities where contest_id = ${contestId}),
         u as (select array_agg(id order by name) a from units where contest_id = ${contestId})
    insert into users (id, full_name, phone, password_hash, national_id, birth_year, locality_id, unit_id)
    select md5('u' || i)::uuid::text, 'Nguyễn Thị Người Dự Thi ' || i, '09' || lpad(i::text, 8, '0'), 'x', '0380' || lpad(i::text, 8, '0'), 1990,
           (select a[1 + i % 31] from l), (select a[1 + i % 45] from u)
    from generate_series(1, ${USERS}) i`);
  console.log(`users: ${USERS} (${ms(t0)})`);
  await database.rows(sql`
    insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
    select md5('a' || i)::uuid::text, ${roundId}, md5('u' || (1 + i % ${USERS}))::uuid::text, 1 + i / ${USERS}, ${MAX_ATTEMPTS}, 0, '{}',
           now() - interval '7 days' + (i % 500000) * interval '1 second', now() - interval '7 days' + (i % 500000) * interval '1 second' + interval '20 minutes'
    from generate_series(0, ${SUBMISSIONS - 1}) i`);
  console.log(`attempts: ${SUBMISSIONS} (${ms(t0)})`);
  // Ids are UUIDs as in production (they sort slower than short strings). 20 answers each,
  // stored as the API stores them (choices and fair-play signatures). Scores 5..20
  // (1 in 16 all correct), predictions spread, durations with many ties. As in a round where
  // everyone gets the same questions, the all-correct submissions share one answer set (its
  // signature; the fair-play flags compare those), the others' sets are all different. Each carries, as
  // the API writes them, the address it came from and the web app's device id (one per
  // resident). Addresses: a third of the residents come through a mobile carrier's four
  // addresses (about 25,000 each, some 4,800 of whose ranked rows are all correct, with one answer set), the
  // others from 50,000 addresses (homes and offices).
  await database.rows(sql`
    insert into submissions (attempt_id, round_id, user_id, attempt_no, choices, answers_seq, answers_set, prediction, score, total, deadline, submitted_at, duration_ms,
      client_ip, device_id)
    select id, round_id, user_id, attempt_no, x.choices, x.seq, case when (hashtext(id) & 15) + 5 = 20 then ${ALL_CORRECT_SET} else x.set end,
           abs(hashtext(id || 'p')) % 120000, (hashtext(id) & 15) + 5, 20, deadline,
           started_at + (abs(hashtext(id || 'd')) % 1200) * interval '1 second', (abs(hashtext(id || 'd')) % 1200) * 1000,
           case when abs(hashtext(user_id || 'c')) % 3 = 0 then '100.64.0.' || (1 + abs(hashtext(user_id || 'n')) % 4)
             else '113.160.' || (abs(hashtext(user_id)) % 200) || '.' || (abs(hashtext(user_id || 'x')) % 250) end,
           translate(substr(encode(sha256(convert_to('d' || user_id, 'UTF8')), 'base64'), 1, 22), '+/', '-_')
    from attempts cross join lateral ${ANSWERS} x where round_id = ${roundId}`);
  await database.rows(
    sql`insert into exclusions (contest_id, national_id) select ${contestId}, '0380' || lpad((i * 97)::text, 8, '0') from generate_series(1, 500) i`,
  );
  await database.rows(sql`insert into exclusions (contest_id, phone) select ${contestId}, '09' || lpad((i * 89)::text, 8, '0') from generate_series(1, 500) i`);
  await database.rows(
    sql`insert into disqualifications (round_id, user_id, reason) select ${roundId}, md5('u' || (i * 131))::uuid::text, 'Gian lận' from generate_series(1, 100) i`,
  );
  await database.rows(sql`vacuum analyze`);
  // As a round's data is when it is finalized, days after it was written: the load's writes
  // flushed, so they do not land on the disk while the finalize is timed. Needs superuser
  // (or pg_checkpoint); without it the bench says so and goes on.
  await database.rows(sql`checkpoint`).catch((e: Error) => console.log(`no checkpoint after the load (${e.message})`));
  console.log(`data ready: ${SUBMISSIONS} submissions by ${USERS} residents (${ms(t0)})`);

  let checksum = '';
  for (const label of ['finalize', 'finalize again']) {
    const t = performance.now();
    const r = await finalizeRound(database.db, null, roundId);
    console.log(
      `${label}: ${ms(t)} — actualCount ${r.actualCount}, participants ${r.participants}, ranked ${r.ranked}, checksum ${r.checksum.slice(0, 16)}…${checksum && r.checksum !== checksum ? ' (DIFFERENT!)' : ''}`,
    );
    checksum = r.checksum;
  }

  // The worst case of finalizing again: the top row disqualified changes the actual count,
  // so every prediction error, and so nearly every row, changes.
  await database.rows(sql`
    insert into disqualifications (round_id, user_id, reason)
    select round_id, user_id, 'Bench' from round_result_rows where round_id = ${roundId} and position = 1`);
  {
    const t = performance.now();
    const r = await finalizeRound(database.db, null, roundId);
    console.log(`finalize after disqualifying the top row: ${ms(t)} — actualCount ${r.actualCount}, ranked ${r.ranked}, checksum ${r.checksum.slice(0, 16)}…`);
  }

  for (const format of FORMATS) {
    let bytes = 0;
    const hash = createHash('sha256');
    const counting = new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        hash.update(chunk);
        cb();
      },
    });
    const t = performance.now();
    const { before, peak } = await withPeakRss(() => writeExport(database.db, roundId, format, counting));
    console.log(
      `export ${format}: ${ms(t)}, ${mb(bytes)}, sha256 ${hash.digest('hex').slice(0, 16)}…; RSS ${mb(before)} before, peak ${mb(peak)} (+${mb(peak - before)})`,
    );
  }
  console.log(`process peak RSS over the whole run: ${mb(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  await finish(args.keep);
}

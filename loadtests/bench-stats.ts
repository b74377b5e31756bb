// GET /admin/rounds/:roundId/stats on a round with 1 million attempts.
// Builds a throwaway database (generate_series), times the stats queries, drops it.
//   npm run bench:stats [-- --attempts 1000000 --users 400000 --runs 5]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { attemptsPerResident, benchContest, scratchDatabase } from './scratch';
import { buildApp } from '../server/src/app';
import * as statsRepo from '../server/src/modules/stats/stats.repo';
import { roundStats } from '../server/src/modules/stats/stats.service';

const { values: args } = parseArgs({
  options: {
    attempts: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '400000' },
    runs: { type: 'string', default: '5' },
    explain: { type: 'boolean', default: false },
  },
});
const ATTEMPTS = Number(args.attempts);
const USERS = Number(args.users);
const RUNS = Number(args.runs);
const MAX_ATTEMPTS = attemptsPerResident(ATTEMPTS, USERS);

const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

const { database, finish } = await scratchDatabase('stats');
try {
  const t0 = performance.now();
  const contestId = await benchContest(database);
  const [{ round_id: roundId }] = await database.rows<{ round_id: string }>(sql`
    insert into rounds (contest_id, number, opens_at, closes_at, question_count, max_attempts)
    values (${contestId}, 1, now() - interval '7 days', now() + interval '1 day', 20, ${MAX_ATTEMPTS}) returning id as round_id`);
  await database.rows(sql`
    with l as (select array_agg(id order by name) a from localities where contest_id = ${contestId}),
         u as (select array_agg(id order by name) a from units where contest_id = ${contestId})
    insert into users (id, full_name, phone, password_hash, national_id, birth_year, locality_id, unit_id)
    select 'u' || i, 'Người ' || i, '09' || lpad(i::text, 8, '0'), 'x', '0380' || lpad(i::text, 8, '0'), 1990,
           (select a[1 + i % 31] from l), (select a[1 + i % 45] from u)
    from generate_series(1, ${USERS}) i`);
  console.log(`users: ${USERS} (${ms(t0)})`);
  await database.rows(sql`
    insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
    select 'a' || i, ${roundId}, 'u' || (1 + i % ${USERS}), 1 + i / ${USERS}, ${MAX_ATTEMPTS}, 0, '{}',
           now() - interval '7 days' + (i % 600000) * interval '1 second', now() - interval '7 days' + (i % 600000) * interval '1 second' + interval '20 minutes'
    from generate_series(0, ${ATTEMPTS - 1}) i`);
  console.log(`attempts: ${ATTEMPTS} (${ms(t0)})`);
  await database.rows(sql`
    insert into submissions (attempt_id, round_id, user_id, attempt_no, choices, prediction, score, total, deadline, submitted_at, duration_ms)
    select id, round_id, user_id, attempt_no, '\\x', 100, (hashtext(id) & 15) + 5, 20, deadline, started_at + interval '5 minutes', 300000
    from attempts where round_id = ${roundId} and hashtext(id) % 10 <> 0`);
  console.log(`submissions (${ms(t0)})`);
  await database.rows(sql`vacuum analyze`);
  console.log(`data ready in ${ms(t0)}`);

  if (args.explain) {
    const plan = await database.rows<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) with a as (
      select user_id, count(*)::int as attempts from attempts where round_id = ${roundId} group by user_id
    ), s as (
      select user_id, count(*)::int as submitted from submissions where round_id = ${roundId} group by user_id
    )
    select grouping(u.locality_id)::int as gl, grouping(u.unit_id)::int as gu, u.locality_id, u.unit_id, count(*)::int,
      coalesce(sum(a.attempts), 0)::int, coalesce(sum(s.submitted), 0)::int, count(s.user_id)::int
    from a join users u on u.id = a.user_id left join s on s.user_id = a.user_id
    group by grouping sets ((u.locality_id), (u.unit_id), ())`);
    console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
  }
  for (const [label, run] of [
    ['  grouped counts (totals, by locality, by unit)', () => statsRepo.groupedCounts(database, roundId)],
    ['  per-hour timeline', () => statsRepo.hourly(database, roundId)],
    ['  score distribution (after close only)', () => statsRepo.scoreCounts(database, roundId)],
  ] as const) {
    const t = performance.now();
    await run();
    console.log(`${label}: ${ms(t)}`);
  }
  const times: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    last = await roundStats(database, roundId);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `stats query (no cache), ${RUNS} runs: min ${times[0].toFixed(0)} ms, median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms`,
  );
  console.log(
    `  participants ${last!.participants}, attempts ${last!.attempts}, submitted ${last!.submitted}, ${last!.byLocality.length} localities, ${last!.byUnit.length} units, ${last!.timeline.length} hours`,
  );

  const app = await buildApp({ config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined }, database, redis: null, jwtSecret: randomBytes(32).toString('hex') });
  await app.ready();
  const token = app.signToken({ id: 'bench', role: 'admin', tokenVersion: 0 });
  for (const label of ['HTTP GET stats (computed)', 'HTTP GET stats (cached)']) {
    const t = performance.now();
    const res = await app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${roundId}/stats`, headers: { authorization: `Bearer ${token}` } });
    console.log(`${label}: ${res.statusCode} in ${ms(t)}, ${res.body.length} bytes`);
  }
  await app.close();
} finally {
  await finish();
}

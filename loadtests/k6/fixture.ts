// Prepares (or removes) what the k6 scenarios need on a real deployment's database:
//   DATABASE_URL=... JWT_SECRET=... npx tsx loadtests/k6/fixture.ts prepare [residents]
//   DATABASE_URL=... npx tsx loadtests/k6/fixture.ts cleanup
// It makes one contest (slug k6-loadtest) with an open round of 20 questions (maxAttempts 1)
// and N residents, signs a token for each with JWT_SECRET (the server's), and writes
// loadtests/results/k6-fixture.json for the scenarios to open(). Cleanup deletes the
// contest (attempts and submissions go with it) and the residents.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSigner } from 'fast-jwt';
import postgres from 'postgres';

const SLUG = 'k6-loadtest';
// Phone numbers 0399xxxxxx and national ids 0990... are kept for load-test residents.
const PHONE_PREFIX = '0399';
const OUT = fileURLToPath(new URL('../results/k6-fixture.json', import.meta.url));

async function main() {
  const [cmd, n] = process.argv.slice(2);
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    if (cmd === 'cleanup') {
      // Pools first: a question in a pool cannot be deleted (round_questions restricts it).
      await sql`delete from round_questions where round_id in (select r.id from rounds r join contests c on c.id = r.contest_id where c.slug = ${SLUG})`;
      await sql`delete from contests where slug = ${SLUG}`;
      const r = await sql`delete from users where phone like ${PHONE_PREFIX + '%'} and role = 'resident'`;
      console.log(`removed the k6 contest and ${r.count} residents`);
      return;
    }
    if (cmd !== 'prepare') throw new Error('usage: fixture.ts prepare [residents] | cleanup');
    const residents = Number(n ?? 20_000);
    const secret = process.env.JWT_SECRET;
    if (!secret) throw new Error('JWT_SECRET must be the server’s secret, so the tokens verify');
    await sql`delete from round_questions where round_id in (select r.id from rounds r join contests c on c.id = r.contest_id where c.slug = ${SLUG})`;
    await sql`delete from contests where slug = ${SLUG}`;
    const [contest] = await sql`insert into contests (slug, title) values (${SLUG}, 'Thử tải k6') returning id`;
    const pool = Array.from({ length: 40 }, (_, i) => ({
      id: randomUUID(),
      text: `Câu hỏi thử tải ${i + 1}`,
      options: Array.from({ length: 4 }, (_, k) => ({ id: randomUUID(), text: `Phương án ${'ABCD'[k]}`, correct: k === i % 4 })),
    }));
    await sql`insert into questions (id, contest_id, text, options)
      select x.id, ${contest.id}, x.text, x.options from jsonb_to_recordset(${sql.json(pool)}) as x(id text, text text, options jsonb)`;
    const now = Date.now();
    const [round] = await sql`
      insert into rounds (contest_id, number, opens_at, closes_at, question_count, time_limit_seconds, max_attempts, prediction_prompt)
      values (${contest.id}, 1, ${new Date(now - 60_000)}, ${new Date(now + 7 * 86_400_000)}, 20, 1200, 1, 'Bao nhiêu người đúng hết?')
      returning id`;
    await sql`insert into round_questions (round_id, question_id, position)
      select ${round.id}, x.id, x.i - 1 from unnest(${pool.map((q) => q.id)}::text[]) with ordinality as x(id, i)`;
    const users = await sql<{ id: string }[]>`
      insert into users (full_name, phone, password_hash, role, national_id, birth_year)
      select 'Người thử tải ' || i, ${PHONE_PREFIX} || lpad(i::text, 6, '0'), 'no-login', 'resident', '0990' || lpad(i::text, 8, '0'), 1990
      from generate_series(1, ${residents}) i
      on conflict do nothing
      returning id`;
    const existing = await sql<
      { id: string }[]
    >`select id from users where phone like ${PHONE_PREFIX + '%'} and role = 'resident' order by phone limit ${residents}`;
    const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 24 * 3_600_000 });
    const tokens = existing.map((u) => sign({ sub: u.id, role: 'resident' }));
    mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    writeFileSync(OUT, JSON.stringify({ roundId: round.id, tokens }));
    console.log(`round ${round.id}; ${users.length} new residents, ${tokens.length} tokens written to ${OUT}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exitCode = 1;
});

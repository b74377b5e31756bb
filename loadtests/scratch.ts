// A throwaway database for the data benches (bench:finalize, bench:regrade, bench:stats):
// created on DATABASE_URL's server, migrated, dropped afterwards unless kept.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDatabase, migrateDatabase, type Database } from '../db/client';

export interface Scratch {
  name: string;
  database: Database;
  /** Closes it and drops it (or says where it is, when kept). */
  finish: (keep?: boolean) => Promise<void>;
}

export async function scratchDatabase(kind: string): Promise<Scratch> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `bench_${kind}_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const database = await createDatabase({ url: url.toString(), max: 4 });
  await migrateDatabase(database);
  return {
    name,
    database,
    finish: async (keep = false) => {
      await database.close();
      if (keep) console.log(`kept database ${name}`);
      else await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** The options of the benches on submitted attempts (bench:finalize, bench:regrade): how many, by how many residents, keep the database. */
export const SUBMISSION_OPTIONS = {
  submissions: { type: 'string', default: '1000000' },
  users: { type: 'string', default: '300000' },
  keep: { type: 'boolean', default: false },
} as const;

/** The most attempts one resident needs for `count` attempts spread over `users` residents. */
export const attemptsPerResident = (count: number, users: number) => Math.ceil(count / users);

/** A contest, with 30 communes and 40 units to report by unless told otherwise. */
export async function benchContest(database: Database, o: { onePrizePerPerson?: boolean; places?: boolean } = {}): Promise<string> {
  const [{ contest_id: contestId }] = await database.rows<{ contest_id: string }>(sql`
    insert into contests (slug, title, one_prize_per_person) values ('bench', 'Cuộc thi bench', ${o.onePrizePerPerson ?? false}) returning id as contest_id`);
  if (o.places !== false) {
    await database.rows(sql`insert into localities (contest_id, name, headcount) select ${contestId}, 'Xã ' || i, 5000 + i from generate_series(1, 30) i`);
    await database.rows(sql`insert into units (contest_id, name) select ${contestId}, 'Đơn vị ' || i from generate_series(1, 40) i`);
  }
  return contestId;
}

/** A round of 20 questions that closed an hour ago, 36 prizes in four tiers. */
export async function closedBenchRound(database: Database, contestId: string, maxAttempts: number): Promise<string> {
  const [{ round_id: roundId }] = await database.rows<{ round_id: string }>(sql`
    insert into rounds (contest_id, number, opens_at, closes_at, question_count, max_attempts, prizes)
    values (${contestId}, 1, now() - interval '8 days', now() - interval '1 hour', 20, ${maxAttempts},
      '[{"name":"Giải Nhất","count":1},{"name":"Giải Nhì","count":2},{"name":"Giải Ba","count":3},{"name":"Giải Khuyến khích","count":30}]')
    returning id as round_id`);
  return roundId;
}

/** A contest (see benchContest) and its closed round (see closedBenchRound). */
export async function benchContestAndRound(database: Database, maxAttempts: number, o: Parameters<typeof benchContest>[1] = {}) {
  const contestId = await benchContest(database, o);
  return { contestId, roundId: await closedBenchRound(database, contestId, maxAttempts) };
}

import { sql, type SQL } from 'drizzle-orm';

/**
 * Who may compete, for a statement over users `u`: the joins that bring each person's
 * ineligibility inputs (on the contest's exclusion list, disqualified in the round) and the
 * reason they give, null when eligible. The rule itself is SQL, in one place:
 * contest_excluded_users and ineligible_reason (db/migrations/0017_eligibility.sql), which
 * start_attempts asks too; lib/eligibility.ts is its TypeScript twin. `round` is a round id
 * or a column (the collective counts take each submission's round). Joins, not correlated
 * subqueries: the function is inlined and Postgres hashes the list once for 300k people.
 * \`excluded\` names the contest's excluded people where the statement has them already.
 */
export const eligibilityJoins = (round: string | SQL, contestId: string, excluded: SQL = sql`contest_excluded_users(${contestId})`) => sql`
  left join ${excluded} xu on xu.user_id = u.id
  left join disqualifications dq on dq.round_id = ${round} and dq.user_id = u.id`;

export const reasonSql = sql`ineligible_reason(u.role::text, xu.user_id is not null, dq.reason)`;

/**
 * The people the rule turns away from a round, as `select user_id`: found among the only
 * people it can turn away (ineligible_reason gives null to a resident who is neither on the
 * contest's list nor disqualified), so a count over a round's 300k participants need not
 * ask it of each of them. Every input of ineligible_reason is one of the three sources here.
 * The staff are read from their partial index (migration 0028), the exclusion list is
 * matched with the users once and kept for both of its uses.
 */
export const ineligibleUsers = (roundId: string, contestId: string) => sql`(
  with excluded as materialized (select x.user_id from contest_excluded_users(${contestId}) x)
  select u.id as user_id from (
    select u0.id from users u0 where u0.role <> 'resident'
    union select x.user_id from excluded x
    union select d.user_id from disqualifications d where d.round_id = ${roundId}
  ) m
  join users u on u.id = m.id
  ${eligibilityJoins(roundId, contestId, sql`excluded`)}
  where ${reasonSql} is not null)`;

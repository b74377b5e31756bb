-- The eligibility rule's two functions (migration 0017) are parallel safe: they read tables
-- and write nothing. Left at the default (PARALLEL UNSAFE), naming either in a query keeps
-- the whole query in one process, and finalize's ranking names both (eligibility.sql.ts):
-- marked safe, Postgres may join a round's 300k staged rows with their people in parallel
-- workers (server/src/modules/judging/finalize.sql.ts stagingOf).
ALTER FUNCTION contest_excluded_users(text) PARALLEL SAFE;
--> statement-breakpoint
ALTER FUNCTION ineligible_reason(text, boolean, text) PARALLEL SAFE;

-- Who may compete (issue #13): the one home of the eligibility rule. start_attempt (below),
-- finalize and the collective counts (server/src/modules/judging/eligibility.sql.ts) all
-- ask these two functions; server/src/lib/eligibility.ts is their TypeScript twin, held to
-- them by tests/server/judging/eligibility-property.test.ts.

-- The people a contest's exclusion list names, by national id or by phone. One SELECT in a
-- STABLE SQL function: Postgres inlines it into the calling statement, so a finalize hashes
-- the list once and a start looks one person up by the users primary key and the
-- exclusions (contest, national id) and (contest, phone) indexes.
CREATE FUNCTION contest_excluded_users(p_contest_id text) RETURNS TABLE (user_id text)
LANGUAGE sql STABLE AS $$
  SELECT u.id FROM exclusions e JOIN users u ON u.national_id = e.national_id WHERE e.contest_id = p_contest_id
  UNION
  SELECT u.id FROM exclusions e JOIN users u ON u.phone = e.phone WHERE e.contest_id = p_contest_id
$$;
--> statement-breakpoint

-- Why a person may not compete, the first reason that applies, or null: not a resident, on
-- the contest's exclusion list, disqualified in the round (null: not disqualified, or a
-- start, which does not ask). A single expression, inlined where it is called.
CREATE FUNCTION ineligible_reason(p_role text, p_excluded boolean, p_disqualified text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_role <> 'resident' THEN 'not_resident'
    WHEN p_excluded THEN 'excluded'
    WHEN p_disqualified IS NOT NULL THEN 'disqualified: ' || p_disqualified
  END
$$;
--> statement-breakpoint

-- start_attempt() of migration 0015 asking the two functions above instead of its own copy
-- of the rule; the same signature, rows, kept plans and enable_seqscan off, and still no
-- join to submissions.
CREATE OR REPLACE FUNCTION start_attempt(
  p_attempt_id text, p_user_id text, p_round_id text, p_seed integer, p_question_ids text[], p_now timestamptz, p_grace_ms integer
) RETURNS TABLE (
  kind text, id text, attempt_no integer, seed integer, question_ids text[], started_ms float8, deadline_ms float8,
  role text, excluded boolean, is_open boolean, used integer, max_attempts integer
) LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  r record;
  u record;
  v_excluded boolean := false;
  v_used integer := 0;
  v_max_no integer := 0;
  v_extra_attempts integer;
  v_extra_seconds integer := 0;
  v_grace interval := make_interval(secs => p_grace_ms / 1000.0);
  c record;
  a record;
  v_running boolean := false;
BEGIN
  SELECT rd.contest_id, rd.max_attempts AS cap, rd.closes_at, rd.time_limit_seconds,
         (rd.finalized_at IS NULL AND rd.opens_at <= p_now AND p_now < rd.closes_at) AS open_now
    INTO r FROM rounds rd WHERE rd.id = p_round_id;
  SELECT us.role::text AS role INTO u FROM users us WHERE us.id = p_user_id;
  IF u.role IS NULL OR r.cap IS NULL THEN
    RETURN QUERY SELECT 'state'::text, NULL::text, NULL::integer, NULL::integer, NULL::text[], NULL::float8, NULL::float8,
      u.role, NULL::boolean, r.open_now, NULL::integer, r.cap;
    RETURN;
  END IF;
  -- An organizer's override for this resident: more attempts, more seconds (an incident).
  SELECT o.extra_attempts, o.extra_seconds INTO v_extra_attempts, v_extra_seconds
    FROM overrides o WHERE o.round_id = p_round_id AND o.user_id = p_user_id;
  v_extra_seconds := coalesce(v_extra_seconds, 0);
  v_excluded := EXISTS (SELECT 1 FROM contest_excluded_users(r.contest_id) x WHERE x.user_id = p_user_id);

  -- Newest first: the running attempt is the newest one not submitted and not past its deadline and grace.
  FOR c IN
    SELECT at.id, at.attempt_no, at.seed, at.question_ids, at.started_at, at.deadline
      FROM attempts at WHERE at.user_id = p_user_id AND at.round_id = p_round_id
      ORDER BY at.attempt_no DESC
  LOOP
    v_used := v_used + 1;
    v_max_no := greatest(v_max_no, c.attempt_no);
    IF NOT v_running AND c.deadline + v_grace > p_now
       AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = c.id) THEN
      a := c;
      v_running := true;
    END IF;
  END LOOP;

  IF v_running THEN
    RETURN QUERY SELECT 'running'::text, a.id, a.attempt_no, a.seed, a.question_ids,
      floor(extract(epoch FROM a.started_at) * 1000)::float8, floor(extract(epoch FROM a.deadline) * 1000)::float8,
      NULL::text, NULL::boolean, NULL::boolean, NULL::integer, NULL::integer;
  ELSIF ineligible_reason(u.role, v_excluded, NULL) IS NULL AND r.open_now AND v_used < r.cap + coalesce(v_extra_attempts, 0) THEN
    INSERT INTO attempts (id, round_id, user_id, attempt_no, max_attempts, override_extra, seed, question_ids, started_at, deadline)
    VALUES (p_attempt_id, p_round_id, p_user_id, v_max_no + 1, r.cap, v_extra_attempts, p_seed, p_question_ids, p_now,
            least(p_now + make_interval(secs => r.time_limit_seconds + v_extra_seconds), r.closes_at + make_interval(secs => v_extra_seconds)))
    RETURNING attempts.id, attempts.attempt_no, attempts.seed, attempts.question_ids, attempts.started_at, attempts.deadline INTO a;
    RETURN QUERY SELECT 'created'::text, a.id, a.attempt_no, a.seed, a.question_ids,
      floor(extract(epoch FROM a.started_at) * 1000)::float8, floor(extract(epoch FROM a.deadline) * 1000)::float8,
      NULL::text, NULL::boolean, NULL::boolean, NULL::integer, NULL::integer;
  END IF;
  RETURN QUERY SELECT 'state'::text, NULL::text, NULL::integer, NULL::integer, NULL::text[], NULL::float8, NULL::float8,
    u.role, v_excluded, r.open_now, v_used, r.cap + coalesce(v_extra_attempts, 0);
END
$$;

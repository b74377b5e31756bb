-- start_attempt() with the organizers' per-resident overrides (migration 0010): the cap is
-- the round's maxAttempts plus the override's extra attempts (recorded on the attempt, where
-- a CHECK holds it), and the deadline gains the override's extra seconds, also past
-- closesAt. Same signature, so callers do not change; plans stay custom (migration 0005).
CREATE OR REPLACE FUNCTION start_attempt(
  p_attempt_id text, p_user_id text, p_round_id text, p_seed integer, p_question_ids text[], p_now timestamptz, p_grace_ms integer
) RETURNS TABLE (
  kind text, id text, attempt_no integer, seed integer, question_ids text[], started_ms float8, deadline_ms float8,
  role text, excluded boolean, is_open boolean, used integer, max_attempts integer
) LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  r record;
  u record;
  v_excluded boolean := false;
  v_used integer;
  v_max_no integer;
  v_extra_attempts integer;
  v_extra_seconds integer := 0;
  a record;
BEGIN
  SELECT rd.contest_id, rd.max_attempts AS cap, rd.closes_at, rd.time_limit_seconds,
         (rd.finalized_at IS NULL AND rd.opens_at <= p_now AND p_now < rd.closes_at) AS open_now
    INTO r FROM rounds rd WHERE rd.id = p_round_id;
  SELECT us.role::text AS role, us.national_id, us.phone INTO u FROM users us WHERE us.id = p_user_id;
  IF u.role IS NULL OR r.cap IS NULL THEN
    RETURN QUERY SELECT 'state'::text, NULL::text, NULL::integer, NULL::integer, NULL::text[], NULL::float8, NULL::float8,
      u.role, NULL::boolean, r.open_now, NULL::integer, r.cap;
    RETURN;
  END IF;
  -- An organizer's override for this resident: more attempts, more seconds (an incident).
  SELECT o.extra_attempts, o.extra_seconds INTO v_extra_attempts, v_extra_seconds
    FROM overrides o WHERE o.round_id = p_round_id AND o.user_id = p_user_id;
  v_extra_seconds := coalesce(v_extra_seconds, 0);
  v_excluded := EXISTS (
    SELECT 1 FROM exclusions e
    WHERE e.contest_id = r.contest_id AND (e.national_id = u.national_id OR e.phone = u.phone)
  );
  SELECT count(*)::integer, coalesce(max(at.attempt_no), 0) INTO v_used, v_max_no
    FROM attempts at WHERE at.user_id = p_user_id AND at.round_id = p_round_id;

  SELECT at.id, at.attempt_no, at.seed, at.question_ids, at.started_at, at.deadline INTO a
    FROM attempts at LEFT JOIN submissions s ON s.attempt_id = at.id
    WHERE at.user_id = p_user_id AND at.round_id = p_round_id AND s.attempt_id IS NULL
      AND at.deadline + make_interval(secs => p_grace_ms / 1000.0) > p_now
    ORDER BY at.attempt_no DESC LIMIT 1;
  IF a.id IS NOT NULL THEN
    RETURN QUERY SELECT 'running'::text, a.id, a.attempt_no, a.seed, a.question_ids,
      floor(extract(epoch FROM a.started_at) * 1000)::float8, floor(extract(epoch FROM a.deadline) * 1000)::float8,
      NULL::text, NULL::boolean, NULL::boolean, NULL::integer, NULL::integer;
  ELSIF u.role = 'resident' AND NOT v_excluded AND r.open_now AND v_used < r.cap + coalesce(v_extra_attempts, 0) THEN
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

-- start_attempt() on generic plans (issue #12, item 4). Custom plans (migration 0005) re-plan
-- each of the function's statements on every start: measured on one backend, 370 µs per
-- created attempt and 264 µs per resume, against 97 and 40 µs with the plans kept.
--
-- 0005's hazard was real: plans made while the tables were (nearly) empty stay with the
-- connection, and reproduced here (attempts and submissions analyzed empty, then 100,000
-- attempts and 80,000 submissions) a resume took 12 ms: the running-attempt lookup joined
-- submissions and kept a join that reads all of them. Two changes take the choice away:
-- * enable_seqscan off inside the function: every statement here is a lookup by a key that
--   has an index, so a kept plan is an index scan whatever the table's size when it was made;
-- * no join: the user's attempts of the round (a few rows, by the (user, round, no) key) are
--   walked newest first, each checked for a submission by the submissions primary key.
-- Same signature, same rows and the same rules as migration 0011; the unique (user, round,
-- attempt_no) key and the attempts_no_ck CHECK stay the last word.
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

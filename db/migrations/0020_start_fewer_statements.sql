-- start_attempt() with fewer statements (issue #12, item 4): each statement a PL/pgSQL
-- function runs costs an executor start and end, and a created attempt ran seven of them.
-- The round, the person, their override and the exclusion check are now one statement, and
-- the rows go out by RETURN NEXT (assignments, no query) instead of two RETURN QUERY
-- SELECTs: three statements for a created attempt. Measured on one backend (3,000 starts
-- each, alternated, 120,000 attempts in the table): 127-130 -> 102-110 µs per created
-- attempt; resumes unchanged (61-63 µs).
-- Same signature, rows and rules as migration 0017 (the eligibility rule still asked of
-- ineligible_reason and contest_excluded_users); still no join to submissions, plans kept
-- with enable_seqscan off; the unique (user, round, attempt_no) key and the attempts_no_ck
-- CHECK stay the last word.
CREATE OR REPLACE FUNCTION start_attempt(
  p_attempt_id text, p_user_id text, p_round_id text, p_seed integer, p_question_ids text[], p_now timestamptz, p_grace_ms integer
) RETURNS TABLE (
  kind text, id text, attempt_no integer, seed integer, question_ids text[], started_ms float8, deadline_ms float8,
  role text, excluded boolean, is_open boolean, used integer, max_attempts integer
) LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  r record;
  v_used integer := 0;
  v_max_no integer := 0;
  v_cap integer;
  c record;
  a record;
  v_running boolean := false;
BEGIN
  -- The round, the person, their override and whether the contest's exclusion list names
  -- them: one statement. A missing round or person leaves its columns null.
  SELECT rd.contest_id, rd.max_attempts AS cap, rd.closes_at, rd.time_limit_seconds,
         (rd.finalized_at IS NULL AND rd.opens_at <= p_now AND p_now < rd.closes_at) AS open_now,
         us.role::text AS role, o.extra_attempts, coalesce(o.extra_seconds, 0) AS extra_seconds,
         EXISTS (SELECT 1 FROM contest_excluded_users(rd.contest_id) x WHERE x.user_id = p_user_id) AS excluded
    INTO r
    FROM (SELECT 1) one
    LEFT JOIN rounds rd ON rd.id = p_round_id
    LEFT JOIN users us ON us.id = p_user_id
    LEFT JOIN overrides o ON o.round_id = p_round_id AND o.user_id = p_user_id;

  kind := 'state'; role := r.role; is_open := r.open_now; max_attempts := r.cap;
  IF r.role IS NULL OR r.cap IS NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;
  v_cap := r.cap + coalesce(r.extra_attempts, 0);

  FOR c IN
    SELECT at.id, at.attempt_no, at.seed, at.question_ids, at.started_at, at.deadline
      FROM attempts at WHERE at.user_id = p_user_id AND at.round_id = p_round_id
      ORDER BY at.attempt_no DESC
  LOOP
    v_used := v_used + 1;
    v_max_no := greatest(v_max_no, c.attempt_no);
    IF NOT v_running AND c.deadline + make_interval(secs => p_grace_ms / 1000.0) > p_now
       AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = c.id) THEN
      a := c;
      v_running := true;
    END IF;
  END LOOP;

  IF v_running THEN
    kind := 'running';
  ELSIF ineligible_reason(r.role, r.excluded, NULL) IS NULL AND r.open_now AND v_used < v_cap THEN
    INSERT INTO attempts (id, round_id, user_id, attempt_no, max_attempts, override_extra, seed, question_ids, started_at, deadline)
    VALUES (p_attempt_id, p_round_id, p_user_id, v_max_no + 1, r.cap, r.extra_attempts, p_seed, p_question_ids, p_now,
            least(p_now + make_interval(secs => r.time_limit_seconds + r.extra_seconds), r.closes_at + make_interval(secs => r.extra_seconds)))
    RETURNING attempts.id, attempts.attempt_no, attempts.seed, attempts.question_ids, attempts.started_at, attempts.deadline INTO a;
    kind := 'created';
  END IF;
  IF kind <> 'state' THEN
    id := a.id; attempt_no := a.attempt_no; seed := a.seed; question_ids := a.question_ids;
    started_ms := floor(extract(epoch FROM a.started_at) * 1000)::float8;
    deadline_ms := floor(extract(epoch FROM a.deadline) * 1000)::float8;
    role := NULL; is_open := NULL; max_attempts := NULL;
    RETURN NEXT;
  END IF;
  kind := 'state'; id := NULL; attempt_no := NULL; seed := NULL; question_ids := NULL; started_ms := NULL; deadline_ms := NULL;
  role := r.role; excluded := r.excluded; is_open := r.open_now; used := v_used; max_attempts := v_cap;
  RETURN NEXT;
END
$$;

-- A batch of starts in one statement (issue #12, item 4): start_attempts(batch, grace) does for
-- every request of a group-committed batch what start_attempt() did for one, as one query
-- with a cached plan: the round, the person, their override, the exclusion check, their
-- attempts so far and the insert. start_attempt() ran once per request with three statements
-- of its own, so a batch of eight paid some twenty-five executor starts; the statement below
-- pays one, whatever the batch's size (the foreign-key checks stay one per inserted row).
-- The rules are the same as migration 0020's (it is dropped here, so they keep one home):
-- eligibility asked of ineligible_reason() and contest_excluded_users(); a running attempt
-- (deadline plus grace not passed, no submission) is resumed; otherwise a new attempt,
-- numbered after the person's highest, if the round is open and the person has attempts left
-- (the round's cap plus their override); the deadline is
-- min(start + time limit + override seconds, closesAt + override seconds). The unique
-- (user, round, attempt_no) key, the attempts_no_ck CHECK and the cap and override foreign
-- keys stay the last word: two requests for one person in one batch, or two processes racing
-- for one attempt number, fail the statement with 23505 and the caller runs the requests one
-- by one (attempts.repo.ts startAttemptsSettled), where the later one resumes.
-- One row per request: kind 'created' or 'running' with the attempt, else 'state'; always
-- the person's role, whether they are excluded, whether the round is open, how many
-- attempts they have used and may use (a refusal's reason).
CREATE FUNCTION start_attempts(p_batch jsonb, p_grace_ms integer) RETURNS TABLE (
  ord integer, kind text, id text, attempt_no integer, seed integer, question_ids text[], started_ms float8, deadline_ms float8,
  role text, excluded boolean, is_open boolean, used integer, max_attempts integer
) LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  RETURN QUERY
  WITH req AS (
    SELECT x.ord AS r_ord, x.attempt_id AS r_attempt_id, x.user_id AS r_user_id, x.round_id AS r_round_id, x.seed AS r_seed,
           x.question_ids AS r_question_ids, x.now::timestamptz AS r_now
      FROM jsonb_to_recordset(p_batch) AS x(ord int, attempt_id text, user_id text, round_id text, seed int, question_ids text[], now text)
  ), st AS (
    SELECT q.*, rd.max_attempts AS s_cap, rd.closes_at AS s_closes_at, rd.time_limit_seconds AS s_time_limit,
           (rd.finalized_at IS NULL AND rd.opens_at <= q.r_now AND q.r_now < rd.closes_at) AS s_open,
           us.role::text AS s_role, o.extra_attempts AS s_extra_attempts, coalesce(o.extra_seconds, 0) AS s_extra_seconds,
           EXISTS (SELECT 1 FROM contest_excluded_users(rd.contest_id) xu WHERE xu.user_id = q.r_user_id) AS s_excluded,
           h.h_used, h.h_max_no,
           run.id AS run_id, run.attempt_no AS run_no, run.seed AS run_seed, run.question_ids AS run_question_ids,
           run.started_at AS run_started_at, run.deadline AS run_deadline
      FROM req q
      LEFT JOIN rounds rd ON rd.id = q.r_round_id
      LEFT JOIN users us ON us.id = q.r_user_id
      LEFT JOIN overrides o ON o.round_id = q.r_round_id AND o.user_id = q.r_user_id
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS h_used, coalesce(max(a.attempt_no), 0) AS h_max_no
          FROM attempts a WHERE a.user_id = q.r_user_id AND a.round_id = q.r_round_id
      ) h
      LEFT JOIN LATERAL (
        SELECT a.id, a.attempt_no, a.seed, a.question_ids, a.started_at, a.deadline
          FROM attempts a
         WHERE a.user_id = q.r_user_id AND a.round_id = q.r_round_id
           AND a.deadline + make_interval(secs => p_grace_ms / 1000.0) > q.r_now
           AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id)
         ORDER BY a.attempt_no DESC
         LIMIT 1
      ) run ON us.role IS NOT NULL AND rd.max_attempts IS NOT NULL
  ), ins AS (
    INSERT INTO attempts (id, round_id, user_id, attempt_no, max_attempts, override_extra, seed, question_ids, started_at, deadline)
    SELECT st.r_attempt_id, st.r_round_id, st.r_user_id, st.h_max_no + 1, st.s_cap, st.s_extra_attempts, st.r_seed, st.r_question_ids, st.r_now,
           least(st.r_now + make_interval(secs => st.s_time_limit + st.s_extra_seconds), st.s_closes_at + make_interval(secs => st.s_extra_seconds))
      FROM st
     WHERE st.s_role IS NOT NULL AND st.s_cap IS NOT NULL AND st.run_id IS NULL
       AND ineligible_reason(st.s_role, st.s_excluded, NULL) IS NULL AND st.s_open
       AND st.h_used < st.s_cap + coalesce(st.s_extra_attempts, 0)
    RETURNING attempts.id AS i_id, attempts.attempt_no AS i_no, attempts.started_at AS i_started_at, attempts.deadline AS i_deadline
  )
  SELECT st.r_ord,
         CASE WHEN st.run_id IS NOT NULL THEN 'running' WHEN ins.i_id IS NOT NULL THEN 'created' ELSE 'state' END,
         coalesce(st.run_id, ins.i_id),
         coalesce(st.run_no, ins.i_no),
         CASE WHEN st.run_id IS NOT NULL THEN st.run_seed WHEN ins.i_id IS NOT NULL THEN st.r_seed END,
         -- A created attempt's questions are the ones just sent: not worth sending back.
         st.run_question_ids,
         floor(extract(epoch FROM coalesce(st.run_started_at, ins.i_started_at)) * 1000)::float8,
         floor(extract(epoch FROM coalesce(st.run_deadline, ins.i_deadline)) * 1000)::float8,
         st.s_role, st.s_excluded, st.s_open, st.h_used, st.s_cap + coalesce(st.s_extra_attempts, 0)
    FROM st LEFT JOIN ins ON ins.i_id = st.r_attempt_id;
END
$$;
--> statement-breakpoint
DROP FUNCTION start_attempt(text, text, text, integer, text[], timestamptz, integer);

ALTER TABLE "rounds" ADD COLUMN "draw_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A start is drawn in the API from a copy of the round kept for a few seconds (attempts.cache.ts):
-- its question count, its pool, each question as shown. Edited inside that window (a pool
-- swapped, a question's options rewritten, the count changed before anyone started), a start
-- drew from what no longer exists, and a resident could be served options their submit was
-- then refused for. rounds.draw_version moves with every such change; the API sends the
-- version it drew from and start_attempts() creates nothing from another one ('stale': the API
-- reloads the round and draws again).
CREATE FUNCTION rounds_bump_draw_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.draw_version := OLD.draw_version + 1;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER rounds_bump_draw_version BEFORE UPDATE ON rounds
  FOR EACH ROW WHEN (OLD.draw_version = NEW.draw_version) EXECUTE FUNCTION rounds_bump_draw_version();--> statement-breakpoint
CREATE FUNCTION round_questions_bump_draw_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE rounds SET draw_version = draw_version + 1 WHERE id IN (SELECT round_id FROM old_rows);
  ELSE
    UPDATE rounds SET draw_version = draw_version + 1 WHERE id IN (SELECT round_id FROM new_rows);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER round_questions_inserted AFTER INSERT ON round_questions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION round_questions_bump_draw_version();--> statement-breakpoint
CREATE TRIGGER round_questions_deleted AFTER DELETE ON round_questions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION round_questions_bump_draw_version();--> statement-breakpoint
CREATE TRIGGER round_questions_updated AFTER UPDATE ON round_questions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION round_questions_bump_draw_version();--> statement-breakpoint
-- A question as shown or keyed (text, options, voided): every round whose pool holds it.
CREATE FUNCTION questions_bump_draw_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rounds SET draw_version = draw_version + 1
   WHERE id IN (SELECT rq.round_id FROM round_questions rq JOIN new_rows n ON n.id = rq.question_id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER questions_updated AFTER UPDATE ON questions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_bump_draw_version();--> statement-breakpoint
-- start_attempts() as in migration 0021, but for two things: the round is read FOR KEY SHARE
-- (lr below), and a request creates an attempt only from the round's current draw_version.
-- Kind 'stale': it would have been created, but was drawn from another version.
DROP FUNCTION start_attempts(jsonb, integer);--> statement-breakpoint
CREATE FUNCTION start_attempts(p_batch jsonb, p_grace_ms integer) RETURNS TABLE (
  ord integer, kind text, id text, attempt_no integer, seed integer, question_ids text[], started_ms float8, deadline_ms float8,
  role text, excluded boolean, is_open boolean, used integer, max_attempts integer
) LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  RETURN QUERY
  WITH req AS (
    SELECT x.ord AS r_ord, x.attempt_id AS r_attempt_id, x.user_id AS r_user_id, x.round_id AS r_round_id, x.seed AS r_seed,
           x.question_ids AS r_question_ids, x.now::timestamptz AS r_now, x.version AS r_version
      FROM jsonb_to_recordset(p_batch) AS x(ord int, attempt_id text, user_id text, round_id text, seed int, question_ids text[], now text, version int)
  ), lr AS MATERIALIZED (
    -- The rounds as they are once no one changes them: KEY SHARE waits for a transaction that
    -- holds a round FOR UPDATE (closing early, a pool or question edit, an override) and then
    -- reads the row it committed, where the statement's snapshot would still show the old one.
    SELECT r.* FROM rounds r WHERE r.id IN (SELECT x.r_round_id FROM req x) FOR KEY SHARE OF r
  ), st AS (
    SELECT q.*, rd.max_attempts AS s_cap, rd.closes_at AS s_closes_at, rd.time_limit_seconds AS s_time_limit, rd.draw_version AS s_version,
           (rd.finalized_at IS NULL AND rd.opens_at <= q.r_now AND q.r_now < rd.closes_at) AS s_open,
           us.role::text AS s_role, o.extra_attempts AS s_extra_attempts, coalesce(o.extra_seconds, 0) AS s_extra_seconds,
           EXISTS (SELECT 1 FROM contest_excluded_users(rd.contest_id) xu WHERE xu.user_id = q.r_user_id) AS s_excluded,
           h.h_used, h.h_max_no,
           run.id AS run_id, run.attempt_no AS run_no, run.seed AS run_seed, run.question_ids AS run_question_ids,
           run.started_at AS run_started_at, run.deadline AS run_deadline
      FROM req q
      LEFT JOIN lr rd ON rd.id = q.r_round_id
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
  ), ok AS (
    SELECT st.*, (st.s_role IS NOT NULL AND st.s_cap IS NOT NULL AND st.run_id IS NULL
                  AND ineligible_reason(st.s_role, st.s_excluded, NULL) IS NULL AND st.s_open
                  AND st.h_used < st.s_cap + coalesce(st.s_extra_attempts, 0)) AS s_may_start
      FROM st
  ), ins AS (
    INSERT INTO attempts (id, round_id, user_id, attempt_no, max_attempts, override_extra, seed, question_ids, started_at, deadline)
    SELECT st.r_attempt_id, st.r_round_id, st.r_user_id, st.h_max_no + 1, st.s_cap, st.s_extra_attempts, st.r_seed, st.r_question_ids, st.r_now,
           least(st.r_now + make_interval(secs => st.s_time_limit + st.s_extra_seconds), st.s_closes_at + make_interval(secs => st.s_extra_seconds))
      FROM ok st
     WHERE st.s_may_start AND st.s_version = st.r_version
    RETURNING attempts.id AS i_id, attempts.attempt_no AS i_no, attempts.started_at AS i_started_at, attempts.deadline AS i_deadline
  )
  SELECT st.r_ord,
         CASE WHEN st.run_id IS NOT NULL THEN 'running' WHEN ins.i_id IS NOT NULL THEN 'created'
              WHEN st.s_may_start THEN 'stale' ELSE 'state' END,
         coalesce(st.run_id, ins.i_id),
         coalesce(st.run_no, ins.i_no),
         CASE WHEN st.run_id IS NOT NULL THEN st.run_seed WHEN ins.i_id IS NOT NULL THEN st.r_seed END,
         -- A created attempt's questions are the ones just sent: not worth sending back.
         st.run_question_ids,
         floor(extract(epoch FROM coalesce(st.run_started_at, ins.i_started_at)) * 1000)::float8,
         floor(extract(epoch FROM coalesce(st.run_deadline, ins.i_deadline)) * 1000)::float8,
         st.s_role, st.s_excluded, st.s_open, st.h_used, st.s_cap + coalesce(st.s_extra_attempts, 0)
    FROM ok st LEFT JOIN ins ON ins.i_id = st.r_attempt_id;
END
$$;

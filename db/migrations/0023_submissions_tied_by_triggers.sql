-- A submission stays tied to its attempt, without the composite foreign key
-- (attempt_id, deadline) → attempts (id, deadline) that every submit's INSERT paid for with
-- one check per row (a queued trigger event and a lookup of the attempt, which the INSERT's
-- join has just made). What the key did is kept:
-- - a row belongs to an existing attempt and carries its deadline: the INSERT copies both
--   from the attempt it joins, and locks that attempt FOR SHARE until it commits
--   (attempts.repo.ts insertSubmissions), so a concurrent delete or deadline move waits;
-- - deleting attempts deletes their submissions (a statement trigger, below);
-- - an attempt's deadline cannot move under a stored submission: the UPDATE fails with
--   23503 as the key's NO ACTION did (a row trigger, below, only on deadline updates).
-- The unique index on attempts (id, deadline) existed only for the key: each start no longer
-- writes it.
ALTER TABLE "submissions" DROP CONSTRAINT "submissions_attempt_fk";--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_id_deadline_uq";--> statement-breakpoint
CREATE FUNCTION attempts_delete_submissions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM submissions s USING gone g WHERE s.attempt_id = g.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER attempts_delete_submissions AFTER DELETE ON attempts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION attempts_delete_submissions();--> statement-breakpoint
CREATE FUNCTION attempts_keep_submitted_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = OLD.id) THEN
    RAISE EXCEPTION 'attempt % has a stored submission: its deadline cannot move', OLD.id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'attempts', COLUMN = 'deadline';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER attempts_keep_submitted_deadline BEFORE UPDATE OF deadline ON attempts
  FOR EACH ROW WHEN (OLD.deadline IS DISTINCT FROM NEW.deadline) EXECUTE FUNCTION attempts_keep_submitted_deadline();

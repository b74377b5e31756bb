-- Lean result rows (issue #12, finalize): a first finalize of 1M submissions inserts 300k
-- rows, and the foreign key's check per row (1.0 s) and the user_id index (1.1 s, random
-- inserts; no query reads the rows by person, all read them by round) cost more than the
-- rows themselves. The few prize rows of a round get an index of their own instead: the
-- earlier winners a finalize compares were read by scanning all of a round's rows.
-- The rows are written only by finalize, under the round's row lock, so the key cannot name
-- a missing round; what the key's ON DELETE CASCADE did, a trigger does: the rows go with
-- their round_results row, which goes with its round.
ALTER TABLE "round_result_rows" DROP CONSTRAINT "round_result_rows_round_id_rounds_id_fk";
--> statement-breakpoint
DROP INDEX "round_result_rows_user_idx";
--> statement-breakpoint
CREATE INDEX "round_result_rows_prizes_idx" ON "round_result_rows" USING btree ("round_id","position") WHERE "round_result_rows"."prize" is not null;
--> statement-breakpoint
CREATE FUNCTION round_results_drop_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM round_result_rows WHERE round_id = OLD.round_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER round_results_drop_rows AFTER DELETE ON round_results
FOR EACH ROW EXECUTE FUNCTION round_results_drop_rows();

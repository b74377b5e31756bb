-- Each submission carries its attempt's number (issue #12, finalize): the ranked row shows
-- it, and copying it when the row is written (as the deadline already is) spares finalize a
-- join of the round's attempts (1M attempts: ~0.5 s). Existing rows take it from their
-- attempt; a submission always has one (the foreign key).
ALTER TABLE "submissions" ADD COLUMN "attempt_no" integer;--> statement-breakpoint
UPDATE "submissions" s SET "attempt_no" = a."attempt_no" FROM "attempts" a WHERE a."id" = s."attempt_id";--> statement-breakpoint
ALTER TABLE "submissions" ALTER COLUMN "attempt_no" SET NOT NULL;

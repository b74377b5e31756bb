ALTER TABLE "round_result_rows" ADD COLUMN "flags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "min_ms_per_question" integer;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_min_ms_per_question_ck" CHECK ("rounds"."min_ms_per_question" is null or "rounds"."min_ms_per_question" between 0 and 600000);
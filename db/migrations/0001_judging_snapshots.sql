ALTER TABLE "round_result_rows" ADD COLUMN "full_name" text;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "national_id" text;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "birth_year" smallint;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "locality" text;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "unit" text;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "round_results" ADD COLUMN "stale" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "round_results" ADD COLUMN "rules" jsonb DEFAULT '{}'::jsonb NOT NULL;
CREATE TYPE "public"."contest_status" AS ENUM('draft', 'active', 'archived');--> statement-breakpoint
CREATE TYPE "public"."prediction_target" AS ENUM('all_correct_people', 'all_correct_entries', 'participants', 'entries');--> statement-breakpoint
CREATE TYPE "public"."reveal_score" AS ENUM('immediately', 'after_close');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('resident', 'organizer', 'judge', 'admin');--> statement-breakpoint
CREATE TABLE "attempts" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"round_id" text NOT NULL,
	"user_id" text NOT NULL,
	"attempt_no" integer NOT NULL,
	"max_attempts" integer NOT NULL,
	"seed" integer NOT NULL,
	"question_ids" text[] NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	CONSTRAINT "attempts_user_round_no_uq" UNIQUE("user_id","round_id","attempt_no"),
	CONSTRAINT "attempts_id_deadline_uq" UNIQUE("id","deadline"),
	CONSTRAINT "attempts_no_ck" CHECK ("attempts"."attempt_no" >= 1 and "attempts"."attempt_no" <= "attempts"."max_attempts"),
	CONSTRAINT "attempts_deadline_ck" CHECK ("attempts"."deadline" > "attempts"."started_at")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "contests" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"rules" text DEFAULT '' NOT NULL,
	"status" "contest_status" DEFAULT 'active' NOT NULL,
	"one_prize_per_person" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contests_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "disqualifications" (
	"round_id" text NOT NULL,
	"user_id" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disqualifications_round_id_user_id_pk" PRIMARY KEY("round_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "exclusions" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"contest_id" text NOT NULL,
	"national_id" text,
	"phone" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exclusions_key_ck" CHECK ("exclusions"."national_id" is not null or "exclusions"."phone" is not null)
);
--> statement-breakpoint
CREATE TABLE "localities" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"contest_id" text NOT NULL,
	"name" text NOT NULL,
	"headcount" integer,
	CONSTRAINT "localities_contest_name_uq" UNIQUE("contest_id","name"),
	CONSTRAINT "localities_headcount_ck" CHECK ("localities"."headcount" is null or "localities"."headcount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"contest_id" text NOT NULL,
	"text" text NOT NULL,
	"options" jsonb NOT NULL,
	"topic" text,
	"explanation" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "questions_options_count_ck" CHECK (jsonb_typeof("questions"."options") = 'array' and jsonb_array_length("questions"."options") between 3 and 4),
	CONSTRAINT "questions_one_correct_ck" CHECK (jsonb_array_length(jsonb_path_query_array("questions"."options", '$[*] ? (@.correct == true)')) = 1)
);
--> statement-breakpoint
CREATE TABLE "round_questions" (
	"round_id" text NOT NULL,
	"question_id" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "round_questions_round_id_question_id_pk" PRIMARY KEY("round_id","question_id")
);
--> statement-breakpoint
CREATE TABLE "round_result_rows" (
	"round_id" text NOT NULL,
	"position" integer NOT NULL,
	"rank" integer,
	"prize" text,
	"user_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"attempt_no" integer NOT NULL,
	"score" integer NOT NULL,
	"total" integer NOT NULL,
	"prediction" integer NOT NULL,
	"prediction_error" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"eligible" boolean NOT NULL,
	"ineligible_reason" text,
	CONSTRAINT "round_result_rows_round_id_position_pk" PRIMARY KEY("round_id","position")
);
--> statement-breakpoint
CREATE TABLE "round_results" (
	"round_id" text PRIMARY KEY NOT NULL,
	"actual_count" integer NOT NULL,
	"participants" integer NOT NULL,
	"ranked" integer NOT NULL,
	"checksum" text NOT NULL,
	"finalized_at" timestamp with time zone NOT NULL,
	"finalized_by" text
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"contest_id" text NOT NULL,
	"number" integer NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"question_count" integer DEFAULT 20 NOT NULL,
	"time_limit_seconds" integer DEFAULT 1200 NOT NULL,
	"max_attempts" integer DEFAULT 1 NOT NULL,
	"reveal_score" "reveal_score" DEFAULT 'immediately' NOT NULL,
	"prediction_prompt" text DEFAULT '' NOT NULL,
	"prediction_target" "prediction_target" DEFAULT 'all_correct_people' NOT NULL,
	"prizes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"finalized_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rounds_contest_number_uq" UNIQUE("contest_id","number"),
	CONSTRAINT "rounds_id_max_attempts_uq" UNIQUE("id","max_attempts"),
	CONSTRAINT "rounds_window_ck" CHECK ("rounds"."closes_at" > "rounds"."opens_at"),
	CONSTRAINT "rounds_number_ck" CHECK ("rounds"."number" between 1 and 1000),
	CONSTRAINT "rounds_question_count_ck" CHECK ("rounds"."question_count" between 1 and 200),
	CONSTRAINT "rounds_time_limit_ck" CHECK ("rounds"."time_limit_seconds" between 10 and 86400),
	CONSTRAINT "rounds_max_attempts_ck" CHECK ("rounds"."max_attempts" between 1 and 100),
	CONSTRAINT "rounds_published_ck" CHECK ("rounds"."published_at" is null or "rounds"."finalized_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"attempt_id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL,
	"user_id" text NOT NULL,
	"answers" jsonb NOT NULL,
	"prediction" integer NOT NULL,
	"score" integer NOT NULL,
	"total" integer NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	CONSTRAINT "submissions_prediction_ck" CHECK ("submissions"."prediction" between 0 and 100000000),
	CONSTRAINT "submissions_score_ck" CHECK ("submissions"."score" between 0 and "submissions"."total"),
	CONSTRAINT "submissions_duration_ck" CHECK ("submissions"."duration_ms" >= 0),
	CONSTRAINT "submissions_deadline_ck" CHECK ("submissions"."submitted_at" <= "submissions"."deadline" + interval '30 seconds')
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"contest_id" text NOT NULL,
	"name" text NOT NULL,
	"headcount" integer,
	CONSTRAINT "units_contest_name_uq" UNIQUE("contest_id","name"),
	CONSTRAINT "units_headcount_ck" CHECK ("units"."headcount" is null or "units"."headcount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"full_name" text NOT NULL,
	"phone" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'resident' NOT NULL,
	"national_id" text,
	"birth_year" smallint,
	"locality_id" text,
	"unit_id" text,
	"category" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_phone_ck" CHECK ("users"."phone" ~ '^0[0-9]{9}$'),
	CONSTRAINT "users_national_id_ck" CHECK ("users"."national_id" is null or "users"."national_id" ~ '^[0-9]{12}$'),
	CONSTRAINT "users_resident_national_id_ck" CHECK ("users"."role" <> 'resident' or "users"."national_id" is not null)
);
--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_round_cap_fk" FOREIGN KEY ("round_id","max_attempts") REFERENCES "public"."rounds"("id","max_attempts") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "disqualifications" ADD CONSTRAINT "disqualifications_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disqualifications" ADD CONSTRAINT "disqualifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disqualifications" ADD CONSTRAINT "disqualifications_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exclusions" ADD CONSTRAINT "exclusions_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "localities" ADD CONSTRAINT "localities_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_questions" ADD CONSTRAINT "round_questions_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_questions" ADD CONSTRAINT "round_questions_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_result_rows" ADD CONSTRAINT "round_result_rows_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_results" ADD CONSTRAINT "round_results_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_results" ADD CONSTRAINT "round_results_finalized_by_users_id_fk" FOREIGN KEY ("finalized_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_attempt_fk" FOREIGN KEY ("attempt_id","deadline") REFERENCES "public"."attempts"("id","deadline") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_locality_id_localities_id_fk" FOREIGN KEY ("locality_id") REFERENCES "public"."localities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempts_round_idx" ON "attempts" USING btree ("round_id","started_at");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "exclusions_contest_national_id_idx" ON "exclusions" USING btree ("contest_id","national_id");--> statement-breakpoint
CREATE INDEX "exclusions_contest_phone_idx" ON "exclusions" USING btree ("contest_id","phone");--> statement-breakpoint
CREATE INDEX "questions_contest_idx" ON "questions" USING btree ("contest_id");--> statement-breakpoint
CREATE INDEX "round_questions_question_idx" ON "round_questions" USING btree ("question_id");--> statement-breakpoint
CREATE INDEX "round_result_rows_user_idx" ON "round_result_rows" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "submissions_round_idx" ON "submissions" USING btree ("round_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_phone_uq" ON "users" USING btree ("phone");--> statement-breakpoint
CREATE UNIQUE INDEX "users_national_id_uq" ON "users" USING btree ("national_id");
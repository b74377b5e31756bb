CREATE TABLE "overrides" (
	"round_id" text NOT NULL,
	"user_id" text NOT NULL,
	"extra_attempts" integer DEFAULT 0 NOT NULL,
	"extra_seconds" integer DEFAULT 0 NOT NULL,
	"reason" text NOT NULL,
	"created_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "overrides_round_id_user_id_pk" PRIMARY KEY("round_id","user_id"),
	CONSTRAINT "overrides_round_user_extra_uq" UNIQUE("round_id","user_id","extra_attempts"),
	CONSTRAINT "overrides_extra_attempts_ck" CHECK ("overrides"."extra_attempts" between 0 and 10),
	CONSTRAINT "overrides_extra_seconds_ck" CHECK ("overrides"."extra_seconds" between 0 and 86400)
);
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_no_ck";--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "override_extra" integer;--> statement-breakpoint
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_override_fk" FOREIGN KEY ("round_id","user_id","override_extra") REFERENCES "public"."overrides"("round_id","user_id","extra_attempts") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_no_ck" CHECK ("attempts"."attempt_no" >= 1 and "attempts"."attempt_no" <= "attempts"."max_attempts" + coalesce("attempts"."override_extra", 0));
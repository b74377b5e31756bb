CREATE TYPE "public"."otp_purpose" AS ENUM('reset', 'register');--> statement-breakpoint
CREATE TABLE "otp_codes" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"phone" text NOT NULL,
	"purpose" "otp_purpose" NOT NULL,
	"code_hash" text,
	"expires_at" timestamp with time zone NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"used_at" timestamp with time zone,
	"burned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "otp_codes_tries_ck" CHECK ("otp_codes"."tries" >= 0)
);
--> statement-breakpoint
CREATE TABLE "otp_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"code_id" text NOT NULL,
	"phone" text NOT NULL,
	"purpose" "otp_purpose" NOT NULL,
	"sealed" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "otp_outbox" ADD CONSTRAINT "otp_outbox_code_id_otp_codes_id_fk" FOREIGN KEY ("code_id") REFERENCES "public"."otp_codes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "otp_codes_phone_idx" ON "otp_codes" USING btree ("phone","created_at");--> statement-breakpoint
CREATE INDEX "otp_outbox_pending_idx" ON "otp_outbox" USING btree ("next_attempt_at") WHERE "otp_outbox"."sent_at" is null and "otp_outbox"."failed_at" is null;
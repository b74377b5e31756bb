CREATE TYPE "public"."member_role" AS ENUM('organizer', 'judge');--> statement-breakpoint
CREATE TABLE "contest_members" (
	"contest_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" "member_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contest_members_contest_id_user_id_pk" PRIMARY KEY("contest_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "login_failures" (
	"phone" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"blocked_until" timestamp with time zone,
	"last_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "token_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "token_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "password_change_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "contest_members" ADD CONSTRAINT "contest_members_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contest_members" ADD CONSTRAINT "contest_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contest_members_user_idx" ON "contest_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "users_token_changed_idx" ON "users" USING btree ("token_changed_at");--> statement-breakpoint
-- Contests made before memberships existed: whoever created one (the audit log says who)
-- becomes its organizer member, if that account is still an organizer.
INSERT INTO "contest_members" ("contest_id", "user_id", "role")
SELECT DISTINCT a."entity_id", a."actor_id", 'organizer'::"member_role"
FROM "audit_log" a
JOIN "users" u ON u."id" = a."actor_id" AND u."role" = 'organizer'
JOIN "contests" c ON c."id" = a."entity_id"
WHERE a."action" = 'contest.create'
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- When a round is sealed: no submission can still be accepted after this moment. An
-- unsubmitted attempt can only outlive closes_at through an override's extra seconds
-- (the start function caps deadlines at closes_at plus those seconds, and an early close
-- clamps them), so only the attempts of residents with an override are read.
CREATE OR REPLACE FUNCTION round_sealed_at(p_round_id text, p_grace_ms integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT greatest(r.closes_at, coalesce((
      SELECT max(a.deadline)
      FROM overrides o
      JOIN attempts a ON a.user_id = o.user_id AND a.round_id = o.round_id
      WHERE o.round_id = r.id
        AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id)
    ), r.closes_at)) + make_interval(secs => p_grace_ms / 1000.0)
  FROM rounds r
  WHERE r.id = p_round_id
$$;

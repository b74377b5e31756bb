CREATE INDEX "attempts_round_user_idx" ON "attempts" USING btree ("round_id","user_id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "submissions_round_submitted_idx" ON "submissions" USING btree ("round_id","submitted_at");
ALTER TABLE "audit_log" ADD COLUMN "contest_id" text;--> statement-breakpoint
CREATE INDEX "audit_log_contest_idx" ON "audit_log" USING btree ("contest_id","id") WHERE "audit_log"."contest_id" is not null;--> statement-breakpoint
-- The contest an audit record belongs to, by the rules the audit page's contest filter used
-- to apply to every record it read (audit.repo.ts): a record about the contest itself or one
-- of its lists (entity_id is the contest's id), about one of its rounds (finalize, exports,
-- publish, disqualifications: they carry the round's id only), or carrying the contest's id in
-- its after or before (questions, overrides, rounds). Read once, on insert: the filter then
-- reads an indexed column, not every record's before and after (records written before
-- list saves were audited by their changes hold whole lists, megabytes a side).
CREATE FUNCTION audit_log_contest_of(p_entity text, p_entity_id text, p_before jsonb, p_after jsonb) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    CASE WHEN p_entity = 'contest' THEN p_entity_id END,
    (SELECT r.contest_id FROM rounds r WHERE p_entity = 'round' AND r.id = p_entity_id),
    p_after ->> 'contestId',
    p_before ->> 'contestId',
    (SELECT c.id FROM contests c WHERE c.id = p_entity_id))
$$;--> statement-breakpoint
CREATE FUNCTION audit_log_set_contest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.contest_id := audit_log_contest_of(NEW.entity, NEW.entity_id, NEW.before, NEW.after);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER audit_log_set_contest BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_set_contest();--> statement-breakpoint
UPDATE audit_log SET contest_id = audit_log_contest_of(entity, entity_id, before, after);

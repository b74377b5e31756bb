-- The accounts that are not residents (staff), a few hundred among 300k: finalize's count of
-- the people the eligibility rule turns away starts from them (server/src/modules/judging/
-- eligibility.sql.ts ineligibleUsers) and read every user to find them.
CREATE INDEX "users_not_resident_idx" ON "users" USING btree ("id") WHERE "users"."role" <> 'resident';
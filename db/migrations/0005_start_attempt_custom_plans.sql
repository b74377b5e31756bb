-- start_attempt() was keeping generic plans per connection, made from the statistics of the
-- moment: planned while attempts or submissions were (nearly) empty, e.g. at a new
-- deployment's first round, they scan the whole table on every start once it has grown, and
-- a burst slows down as it goes. Custom plans are made with the table's current size each
-- time; for these few short statements that costs less than one bad plan.
ALTER FUNCTION start_attempt(text, text, text, integer, text[], timestamptz, integer) SET plan_cache_mode = force_custom_plan;

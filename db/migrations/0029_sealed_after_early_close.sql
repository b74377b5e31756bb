-- When a round is sealed, again (0012): an unsubmitted attempt also outlives closes_at when
-- an early close moved closes_at before the attempt's start. The clamp then ends it just
-- after its start (a deadline must follow its start), and its submit is still accepted
-- for the grace after that, while 0012's function, reading only residents with an
-- override, answered closes_at + grace: the key opened to the running attempt. Such
-- attempts started at or after closes_at; the (round_id, started_at) index finds them,
-- and normally there are none.
CREATE OR REPLACE FUNCTION round_sealed_at(p_round_id text, p_grace_ms integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT greatest(r.closes_at, coalesce((
      SELECT max(a.deadline)
      FROM overrides o
      JOIN attempts a ON a.user_id = o.user_id AND a.round_id = o.round_id
      WHERE o.round_id = r.id
        AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id)
    ), r.closes_at), coalesce((
      SELECT max(a.deadline)
      FROM attempts a
      WHERE a.round_id = r.id
        AND a.started_at >= r.closes_at
        AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id)
    ), r.closes_at)) + make_interval(secs => p_grace_ms / 1000.0)
  FROM rounds r
  WHERE r.id = p_round_id
$$;

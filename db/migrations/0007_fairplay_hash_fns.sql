-- Signatures of a submission's answer list for the fair-play flags, computed once when the
-- row is written (generated columns, next migration) instead of parsing every answer list
-- of a round at finalize. NULL below 5 answers (lib/fairplay.ts MIN_ANSWERS_TO_COMPARE):
-- such short lists are never compared.
-- Order: XOR of each (question, option) pair hashed with its position.
CREATE OR REPLACE FUNCTION answers_seq_hash(a jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(a) = 'array' AND jsonb_array_length(a) >= 5 THEN (
    SELECT bit_xor(hashtextextended(x.q || chr(31) || x.o, x.n))
    FROM ROWS FROM (jsonb_to_recordset(a) AS ("questionId" text, "optionId" text)) WITH ORDINALITY AS x(q, o, n)
  ) END
$$;
--> statement-breakpoint
-- Set: sum of the pairs' hashes (shifted so 200 of them fit a bigint), order-free.
CREATE OR REPLACE FUNCTION answers_set_hash(a jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(a) = 'array' AND jsonb_array_length(a) >= 5 THEN (
    SELECT sum(hashtextextended(x."questionId" || chr(31) || x."optionId", 0) >> 16)::bigint
    FROM jsonb_to_recordset(a) AS x("questionId" text, "optionId" text)
  ) END
$$;

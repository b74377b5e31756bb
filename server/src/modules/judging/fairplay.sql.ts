import { sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { FARM_MIN_ACCOUNTS, SAME_ADDRESS_MIN_OTHERS, SAME_DEVICE_MIN_OTHERS } from '../../lib/fairplay';

/**
 * The fair-play flags of lib/fairplay.ts on the staged rows, in SQL, comparing the rows'
 * attempts (each participant's ranked one) with each other. Each answer list is read once
 * and reduced to two 64-bit hashes, without sorting or concatenating it: the sequence is
 * the XOR of each (questionId, optionId) pair's hash seeded with its position; the set is
 * the sum of the pairs' hashes (48 bits each, so twenty fit in a bigint; a sum keeps
 * repeated pairs, as the reference's sorted list does). Only hashes shared between
 * accounts go further, and only rows that get a flag are written. The flags are not in
 * the checksum.
 */
export async function stageFlags(db: Db, roundId: string, minMsPerQuestion: number): Promise<void> {
  // Statistics for the staged rows, so the join below hashes them (300k narrow rows) and
  // not the round's submissions with their answer lists.
  await rawRows(db, sql`analyze finalize_rows`);
  await rawRows(
    db,
    // The signatures were computed when each submission was written (migration 0007: null
    // below MIN_ANSWERS_TO_COMPARE answers), so no answer list is read here.
    sql`create temp table fairplay_sig on commit drop as
    select f.attempt_id, f.user_id, f.prediction, s.answers_seq as seq, s.answers_set as setk, s.client_ip as ip, s.device_id as device
    from finalize_rows f
    join submissions s on s.attempt_id = f.attempt_id and s.round_id = ${roundId}
    where s.answers_seq is not null`,
  );
  // Farm candidates: answer sets sent by enough accounts. Indexed by prediction, so each
  // window of near-identical predictions is one short range scan, stopped at the number of
  // accounts that makes a farm (one row per account: rows are people).
  await rawRows(
    db,
    sql`create temp table fairplay_farm on commit drop as
    select x.attempt_id, x.user_id, x.prediction, x.setk from fairplay_sig x
    where x.setk in (select setk from fairplay_sig group by setk having count(distinct user_id) >= ${FARM_MIN_ACCOUNTS}::int)`,
  );
  await rawRows(db, sql`create index on fairplay_farm (setk, prediction)`);
  // A window starts at each distinct prediction p of a set and holds the predictions near
  // it from above: 100·(q − p) <= max(200, q), i.e. q <= max(p + 2, floor(100·p / 99)).
  // An attempt is in a farm when a window with enough accounts reaches it: the running
  // maximum of the qualifying windows' upper ends, in prediction order.
  // lib/fairplay.ts predictionsNear: 100·|a − b| <= max(200, max(a, b)).
  const near = (a: SQL, b: SQL) => sql`100 * abs(${a}::bigint - ${b}::bigint) <= greatest(200, greatest(${a}, ${b}))`;
  const upTo = (p: SQL) => sql`greatest(${p}::bigint + 2, (100 * ${p}::bigint) / 99)`;
  await rawRows(
    db,
    sql`
    with same_order as (
      select x.attempt_id from fairplay_sig x
      where x.seq in (select seq from fairplay_sig group by seq having count(distinct user_id) >= 2)
    ), lows as (
      select l.setk, l.prediction,
        (select count(*) from (select 1 from fairplay_farm w
          where w.setk = l.setk and w.prediction >= l.prediction and w.prediction <= ${upTo(sql`l.prediction`)}
            and 100 * (w.prediction::bigint - l.prediction) <= greatest(200, w.prediction)
          limit ${FARM_MIN_ACCOUNTS}::int) z) = ${FARM_MIN_ACCOUNTS}::int as qualifies
      from (select distinct setk, prediction from fairplay_farm) l
    ), reach as (
      select l.setk, l.prediction,
        max(case when l.qualifies then ${upTo(sql`l.prediction`)} end) over (partition by l.setk order by l.prediction) as reach
      from lows l
    ), farm as (
      select c.attempt_id from fairplay_farm c join reach r on r.setk = c.setk and r.prediction = c.prediction
      where c.prediction <= r.reach
    ), shared as (
      -- Joined on (answer set, device) and (answer set, address): groups of one device or
      -- address, never a whole round's worth of identical answer sets.
      select x.attempt_id from fairplay_sig x join fairplay_sig y
        on y.setk = x.setk and y.device = x.device and y.user_id <> x.user_id and ${near(sql`x.prediction`, sql`y.prediction`)}
      group by x.attempt_id having count(distinct y.user_id) >= ${SAME_DEVICE_MIN_OTHERS}::int
      union
      select x.attempt_id from fairplay_sig x join fairplay_sig y
        on y.setk = x.setk and y.ip = x.ip and y.user_id <> x.user_id and ${near(sql`x.prediction`, sql`y.prediction`)}
      group by x.attempt_id having count(distinct y.user_id) >= ${SAME_ADDRESS_MIN_OTHERS}::int
    )
    update finalize_rows f set flags = array_remove(array[
        case when f.total > 0 and f.duration_ms::bigint < ${minMsPerQuestion}::bigint * f.total then 'too_fast' end,
        case when f.attempt_id in (select attempt_id from same_order) then 'same_answers_same_order' end,
        case when f.attempt_id in (select attempt_id from farm) then 'answer_farm' end,
        case when f.attempt_id in (select attempt_id from shared) then 'same_device_or_address' end
      ]::text[], null)
    where (f.total > 0 and f.duration_ms::bigint < ${minMsPerQuestion}::bigint * f.total)
      or f.attempt_id in (select attempt_id from same_order)
      or f.attempt_id in (select attempt_id from farm)
      or f.attempt_id in (select attempt_id from shared)`,
  );
}

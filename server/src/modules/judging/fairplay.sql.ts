import { sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { FARM_MIN_ACCOUNTS, SAME_ADDRESS_MIN_OTHERS, SAME_DEVICE_MIN_OTHERS } from '../../lib/fairplay';
import { stagingOf } from './finalize.sql';

/**
 * The fair-play flags of lib/fairplay.ts on the staged rows, in SQL, comparing the rows'
 * attempts (each participant's ranked one) with each other by the two signatures each
 * submission got when it was written (lib/choices.ts answerSignatures: its answers in the
 * order served, and as a set), staged with the rows. Only signatures shared between
 * accounts go further, and only rows that get a flag are written. The flags are not in
 * the checksum.
 */
export async function stageFlags(db: Db, roundId: string, minMsPerQuestion: number): Promise<void> {
  const staging = stagingOf(roundId);
  // The signatures were computed when each submission was written (lib/choices.ts: null
  // below MIN_ANSWERS_TO_COMPARE answers) and staged with the rows (finalize.sql.ts), so
  // neither an answer list nor the submissions are read here. Every flag but too_fast needs
  // an answer set that another account sent too (the same answers in the same order are
  // the same set), so only those rows are compared: one pass over the staged rows finds
  // them, usually few. One row per person: counting rows counts accounts.
  await rawRows(
    db,
    sql`create temp table fairplay_sig on commit drop as
    select f.attempt_id, f.user_id, f.prediction, f.answers_seq as seq, f.answers_set as setk, f.client_ip as ip, f.device_id as device, d.accounts
    from ${staging.rows} f
    join (select answers_set, count(*) as accounts from ${staging.rows} where answers_seq is not null group by answers_set having count(*) >= 2) d
      on d.answers_set = f.answers_set
    where f.answers_seq is not null`,
  );
  // Statistics, so the joins below are planned on the real number of rows.
  await rawRows(db, sql`analyze fairplay_sig`);
  // Farm candidates: answer sets sent by enough accounts. Indexed by prediction, so each
  // window of near-identical predictions is one short range scan, stopped at the number of
  // accounts that makes a farm.
  await rawRows(
    db,
    sql`create temp table fairplay_farm on commit drop as
    select x.attempt_id, x.user_id, x.prediction, x.setk from fairplay_sig x where x.accounts >= ${FARM_MIN_ACCOUNTS}::int`,
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
      where x.seq in (select seq from fairplay_sig group by seq having count(*) >= 2)
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
    update ${staging.rows} f set flags = array_remove(array[
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

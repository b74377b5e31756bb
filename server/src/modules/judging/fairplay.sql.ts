import { sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { FARM_MIN_ACCOUNTS, SAME_ADDRESS_MIN_OTHERS, SAME_DEVICE_MIN_OTHERS } from '../../lib/fairplay';
import { stagingOf, withLocalSetting } from './finalize.sql';

/** lib/fairplay.ts predictionsNear: 100·|a − b| <= max(200, max(a, b)). */
const near = (a: SQL, b: SQL) => sql`100 * abs((${a})::bigint - (${b})::bigint) <= greatest(200, greatest(${a}, ${b}))`;
/**
 * The highest prediction near p from above: 100·(q − p) <= max(200, q), i.e.
 * q <= max(p + 2, floor(100·p / 99)); and every q from p up to it is near p.
 */
const upTo = (p: SQL) => sql`greatest((${p})::bigint + 2, (100 * (${p})::bigint) / 99)`;

/**
 * Whether a row (x, in window w: its group in prediction order, one row per account) has at
 * least `k` other rows with a near-identical prediction. Those near a row sit next to it in
 * that order (nearness only grows harder with the distance), so it has k of them exactly
 * when, for some i in 0..k, the row i places before it and the row k − i places after it
 * are both near it (or are the row itself, for 0): k rows on each side looked at, whatever
 * the size of the group.
 */
function enoughNear(k: number): SQL {
  const terms: SQL[] = [];
  for (let i = 0; i <= k; i++) {
    const below = i > 0 ? near(sql`(lag(x.prediction, ${sql.raw(String(i))}) over w)`, sql`x.prediction`) : null;
    const above = k - i > 0 ? near(sql`x.prediction`, sql`(lead(x.prediction, ${sql.raw(String(k - i))}) over w)`) : null;
    terms.push(below && above ? sql`(${below} and ${above})` : (below ?? above ?? sql`true`));
  }
  return sql`coalesce(${sql.join(terms, sql` or `)}, false)`;
}

/**
 * Positions of the fairplay_sig rows with at least `k` other accounts that sent the same
 * answer set from the same `column` (device or address) with a near-identical prediction:
 * enoughNear over the rows of each (answer set, column) group with more than k rows; with
 * `wrongOnly`, rows with every answer right neither count nor are flagged (lib/ranking.ts
 * isAllCorrect).
 */
function sharingWithEnough(column: 'device' | 'ip', k: number, wrongOnly: boolean): SQL {
  const c = sql.raw(column);
  const grouped = wrongOnly ? sql` and not perfect` : sql``;
  const ranked = wrongOnly ? sql`where not x.perfect` : sql``;
  return sql`select s.position from (
        select x.position, ${enoughNear(k)} as hit
        from fairplay_sig x
        join (select setk, ${c} from fairplay_sig where ${c} is not null${grouped} group by setk, ${c} having count(*) > ${k}::int) g
          on g.setk = x.setk and g.${c} = x.${c}
        ${ranked}
        window w as (partition by x.setk, x.${c} collate "C" order by x.prediction)
      ) s where s.hit`;
}

/**
 * The fair-play flags of lib/fairplay.ts on the staged rows, in SQL, comparing the rows'
 * attempts (each participant's ranked one) with each other by the two signatures each
 * submission got when it was written (lib/choices.ts answerSignatures: its answers in the
 * order served, and as a set), staged with the rows. Only signatures shared between
 * accounts go further. The flags go to a staging table of their own (finalize.sql.ts
 * Staging.flags: the position and flags of each row that has any), which the merge joins:
 * the staged rows are not written again. The flags are not in the checksum.
 */
export async function stageFlags(db: Db, roundId: string, minMsPerQuestion: number): Promise<void> {
  const staging = stagingOf(roundId);
  // The signatures were computed when each submission was written (lib/choices.ts: null
  // below MIN_ANSWERS_TO_COMPARE answers) and staged with the rows (finalize.sql.ts), so
  // neither an answer list nor the submissions are read here. Every flag but too_fast needs
  // an answer set that another account sent too (the same answers in the same order are
  // the same set), so only those rows are compared: one pass over the staged rows finds
  // them, usually few. One row per person: counting rows counts accounts. Rows are known
  // by position (unique in the staged rows, and an integer: cheaper to hash than an id).
  // The shared sets are counted by sorting the round's sets (one bigint each), not in a hash
  // table, which Postgres picks without statistics on the staged rows: most sets are sent
  // once, so the table grows an entry for nearly every row (1M submissions, this statement
  // alone, alternated: 0.43-0.51 s against 0.75-0.77 s). For this statement only.
  await withLocalSetting(db, 'enable_hashagg', 'off', () =>
    rawRows(
      db,
      sql`create temp table fairplay_sig on commit drop as
    select f.position, f.prediction, f.answers_seq as seq, f.answers_set as setk, f.client_ip as ip, f.device_id as device, d.accounts,
      f.score = f.total as perfect
    from ${staging.rows} f
    join (select answers_set, count(*) as accounts from ${staging.rows} where answers_seq is not null group by answers_set having count(*) >= 2) d
      on d.answers_set = f.answers_set
    where f.answers_seq is not null`,
    ),
  );
  const tooFast = sql`(f.total > 0 and f.duration_ms::bigint < ${minMsPerQuestion}::bigint * f.total)`;
  await rawRows(
    db,
    sql`
    create unlogged table ${staging.flags} (position, flags) as
    with same_order as (
      -- Sets with a wrong answer at least, as for farms and addresses (lib/fairplay.ts).
      select x.position from fairplay_sig x
      where not x.perfect and x.seq in (select seq from fairplay_sig where not perfect group by seq having count(*) >= 2)
    ), farm as (
      -- Farms, among answer sets sent by enough accounts: a window of near-identical
      -- predictions starts at each prediction p of a set and holds those near it from above.
      -- Nearness only grows harder as the high end moves up, so the window beginning at p's
      -- first row holds FARM_MIN_ACCOUNTS accounts exactly when the prediction
      -- FARM_MIN_ACCOUNTS - 1 rows further on (lead) is near p; and an attempt is in a farm
      -- when a window with enough accounts reaches it: the running maximum, in prediction
      -- order, of the qualifying windows' upper ends (the frame takes in a row's equal
      -- predictions, so the first row of p speaks for all of them). One sort, no lookups.
      select w.position from (
        select r.position, r.prediction,
          max(case when ${near(sql`r.prediction`, sql`r.farthest`)} then ${upTo(sql`r.prediction`)} end)
            over (partition by r.setk order by r.prediction) as reach
        from (select x.position, x.setk, x.prediction,
                lead(x.prediction, ${FARM_MIN_ACCOUNTS - 1}::int) over (partition by x.setk order by x.prediction) as farthest
              from fairplay_sig x where x.accounts >= ${FARM_MIN_ACCOUNTS}::int and not x.perfect) r
      ) w
      where w.prediction <= w.reach
    ), shared as (
      -- Each row against the rows of its (answer set, device) and (answer set, address), in
      -- the groups with enough accounts to matter (usually few): its neighbours in
      -- prediction order, not a join of the group with itself, which grows with the square
      -- of the group (a mobile carrier puts thousands of residents behind one address; those
      -- with every answer right share one set, and only the device groups keep them).
      ${sharingWithEnough('device', SAME_DEVICE_MIN_OTHERS, false)}
      union
      ${sharingWithEnough('ip', SAME_ADDRESS_MIN_OTHERS, true)}
    ), marked as (
      select m.position, bool_or(m.k = 1) as same_order, bool_or(m.k = 2) as farm, bool_or(m.k = 3) as shared
      from (select position, 1 as k from same_order union all select position, 2 from farm union all select position, 3 from shared) m
      group by m.position
    )
    -- In lib/fairplay.ts FAIRPLAY_FLAGS order.
    select f.position, array_remove(array[
        case when ${tooFast} then 'too_fast' end,
        case when m.same_order then 'same_answers_same_order' end,
        case when m.farm then 'answer_farm' end,
        case when m.shared then 'same_device_or_address' end
      ]::text[], null)
    from ${staging.rows} f left join marked m on m.position = f.position
    where ${tooFast} or m.position is not null`,
  );
  // Its size and keys counted, so that storing the rows (finalize.sql.ts storeStagedRows) hashes
  // these few rows to join them with the round's, instead of sorting both sides by position
  // (1M submissions: the analyze 0.05-0.09 s; the INSERT of a round's first rows, alternated,
  // 2.16-2.29 s without it against 1.48-1.79 s with it).
  await rawRows(db, sql`analyze ${staging.flags}`);
}

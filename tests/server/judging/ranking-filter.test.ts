import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import type { Round, StoredAnswer, User } from '../../../db/schema/index';
import { member, useTestApp } from '../../helpers/app';
import { addMember, makeContest, makeResident, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeSubmission } from '../../helpers/results-factories';
import { finalize, ranking } from '../../helpers/requests';
import { filteredQueries } from '../../../server/src/modules/judging/judging.repo';
import type { RankingFilter } from '../../../server/src/modules/judging/judging.schemas';

// GET /judge/rounds/:roundId/ranking?only=flagged|ineligible&flag=<name> (an extension of
// API.md): the rows a judge must look at, paged among themselves, with how many there are.
const t = useTestApp();
let judgeToken: string;
beforeAll(async () => ({ token: judgeToken } = await member(t, 'judge')));

const db = () => t.database.db;

interface Row {
  position: number;
  userId: string;
  eligible: boolean;
  ineligibleReason?: string;
  flags: string[];
}

/** The same five answers in the same order, with a wrong one (score below total): same_answers_same_order for those who share them. */
const SHARED: StoredAnswer[] = [1, 2, 3, 4, 5].map((q) => ({ questionId: `q${q}`, optionId: 'a' }));

/**
 * A finalized round of 10 questions (too fast: under 15 s) and eight people p0..p7 in that
 * order (scores 10 down to 3):
 *   p1, p3, p5, p7 too fast; p2 and p3 send the same answers in the same order;
 *   p4 is on the exclusion list, p5 is disqualified.
 */
let round: Round;
let p: User[];
beforeAll(async () => {
  const contest = await makeContest(db(), { onePrizePerPerson: false });
  ({ round } = await makeClosedRound(db(), contest.id, { questionCount: 10 }));
  p = [];
  for (let i = 0; i < 8; i++) p.push(await makeResident(db()));
  const fast = new Set([1, 3, 5, 7]);
  for (const [i, person] of p.entries())
    await makeSubmission(db(), round, person.id, {
      score: 10 - i,
      prediction: 100 * i,
      durationMs: fast.has(i) ? 5_000 : 60_000,
      ...(i === 2 || i === 3 ? { answers: SHARED } : {}),
    });
  await makeExclusion(db(), contest.id, { phone: p[4].phone });
  await makeDisqualification(db(), round.id, p[5].id, 'Thi hộ');
  expect((await finalize(t.app, round.id, judgeToken)).statusCode).toBe(200);
});

async function page(query: string, token = judgeToken) {
  const res = await ranking(t.app, round.id, token, query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { actualCount: number; participants: number; ranked: number; offset: number; total?: number; rows: Row[] };
}
const who = (rows: Row[]) => rows.map((r) => p.findIndex((x) => x.id === r.userId));

describe('GET /judge/rounds/:roundId/ranking filters', () => {
  it('the round is as the filters below expect it', async () => {
    const all = await page('');
    expect(all.rows.map((r) => [who([r])[0], r.position, r.flags, r.eligible])).toEqual([
      [0, 1, [], true],
      [1, 2, ['too_fast'], true],
      [2, 3, ['same_answers_same_order'], true],
      [3, 4, ['too_fast', 'same_answers_same_order'], true],
      [4, 5, [], false],
      [5, 6, ['too_fast'], false],
      [6, 7, [], true],
      [7, 8, ['too_fast'], true],
    ]);
  });

  it('without a filter answers as before: no total, the round’s rows from the offset', async () => {
    const all = await page('?offset=2&limit=3');
    expect(Object.keys(all).sort()).toEqual(['actualCount', 'checksum', 'finalizedAt', 'offset', 'participants', 'ranked', 'rows', 'stale']);
    expect(who(all.rows)).toEqual([2, 3, 4]);
  });

  it('only=flagged: the rows with a flag, in ranking order, whole and with their own position, and how many', async () => {
    const full = (await page('')).rows;
    const flagged = await page('?only=flagged');
    expect(who(flagged.rows)).toEqual([1, 2, 3, 5, 7]);
    expect(flagged.total).toBe(5);
    expect(flagged.rows).toEqual(full.filter((r) => r.flags.length > 0));
    // The round's figures stay the round's.
    const all = await page('');
    expect({ actualCount: flagged.actualCount, participants: flagged.participants, ranked: flagged.ranked }).toEqual({
      actualCount: all.actualCount,
      participants: 8,
      ranked: 6,
    });
  });

  it('pages within the filter: offset and limit count the matching rows', async () => {
    const a = await page('?only=flagged&offset=0&limit=2');
    const b = await page('?only=flagged&offset=2&limit=2');
    const c = await page('?only=flagged&offset=4&limit=2');
    const d = await page('?only=flagged&offset=5&limit=2');
    expect([who(a.rows), who(b.rows), who(c.rows), who(d.rows)]).toEqual([[1, 2], [3, 5], [7], []]);
    expect([a.total, b.total, c.total, d.total]).toEqual([5, 5, 5, 5]);
    expect([a.offset, b.offset, c.offset, d.offset]).toEqual([0, 2, 4, 5]);
  });

  it('only=ineligible: the excluded and the disqualified, with their reasons', async () => {
    const res = await page('?only=ineligible');
    expect(res.total).toBe(2);
    expect(res.rows.map((r) => [who([r])[0], r.eligible, r.ineligibleReason])).toEqual([
      [4, false, 'excluded'],
      [5, false, 'disqualified: Thi hộ'],
    ]);
  });

  it('flag=<name>: the rows carrying that flag; with only, the rows that pass both', async () => {
    const fast = await page('?flag=too_fast');
    expect([who(fast.rows), fast.total]).toEqual([[1, 3, 5, 7], 4]);
    const same = await page('?flag=same_answers_same_order&limit=1&offset=1');
    expect([who(same.rows), same.total]).toEqual([[3], 2]);
    const none = await page('?flag=answer_farm');
    expect([none.rows, none.total]).toEqual([[], 0]);
    const both = await page('?only=ineligible&flag=too_fast');
    expect([who(both.rows), both.total]).toEqual([[5], 1]);
    expect(who((await page('?only=flagged&flag=too_fast')).rows)).toEqual([1, 3, 5, 7]);
  });

  it('refuses an unknown or malformed filter with 400 VALIDATION_FAILED naming the parameter', async () => {
    for (const [query, field] of [
      ['?only=flaged', 'querystring.only'],
      ['?only=', 'querystring.only'],
      ['?only=FLAGGED', 'querystring.only'],
      ['?only=flagged&only=ineligible', 'querystring.only'],
      ['?flag=too-fast', 'querystring.flag'],
      ['?flag=likely_miskeyed', 'querystring.flag'],
      ['?only=flagged&limit=0', 'querystring.limit'],
    ]) {
      const res = await ranking(t.app, round.id, judgeToken, query);
      expect(res.statusCode, query).toBe(400);
      const body = res.json();
      expect(body, query).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', error: 'Bad Request' });
      expect(
        body.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
  });

  it('leaves staff scoping as it was: another contest’s judge 404, an organizer of this one 403, with or without a filter', async () => {
    const stranger = await makeStaff(db(), 'judge');
    await addMember(db(), (await makeContest(db())).id, stranger);
    const organizer = await makeStaff(db(), 'organizer');
    await addMember(db(), round.contestId, organizer);
    for (const [user, status] of [
      [stranger, 404],
      [organizer, 403],
    ] as const) {
      const token = tokenFor(t.app, user);
      const before = await ranking(t.app, round.id, token, '');
      expect(before.statusCode).toBe(status);
      for (const query of ['?only=flagged', '?only=ineligible&offset=1', '?flag=too_fast', '?only=bogus']) {
        const res = await ranking(t.app, round.id, token, query);
        expect([res.statusCode, res.json().code], query).toEqual([status, before.json().code]);
      }
    }
  });
});

describe('a filtered page reads the filter’s index, not the round’s rows', () => {
  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    'Shared Hit Blocks': number;
    'Shared Read Blocks': number;
    Plans?: PlanNode[];
  }
  /** The blocks a statement read (its plan's root counts its children's), and the scans it used. */
  async function explain(query: { getSQL: () => ReturnType<typeof sql> }) {
    const [row] = await rawRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(db(), sql`explain (analyze, buffers, format json) ${query.getSQL()}`);
    const root = row['QUERY PLAN'][0].Plan;
    const scans: string[] = [];
    const walk = (n: PlanNode) => {
      if (/Scan/.test(n['Node Type'])) scans.push(`${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`);
      n.Plans?.forEach(walk);
    };
    walk(root);
    return { blocks: root['Shared Hit Blocks'] + root['Shared Read Blocks'], scans };
  }

  /**
   * Vacuums until the visibility map covers every page, as a vacuum of a quiet database does at
   * once. A transaction open in this database while the rows went in (an autovacuum's analyze of
   * another table, under CI's load) holds the horizon back: that vacuum marks no page
   * all-visible, and every index-only scan then reads the heap (1,419 blocks in a CI run). That is
   * the database's state, not the plan under test, so wait for the horizon to pass (bounded).
   */
  async function vacuumAllVisible() {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await rawRows(db(), sql`vacuum analyze round_result_rows`);
      const [{ pages, visible }] = await rawRows<{ pages: number; visible: number }>(
        db(),
        sql`select relpages as pages, relallvisible as visible from pg_class where oid = 'round_result_rows'::regclass`,
      );
      if (visible >= pages) return;
      if (Date.now() > deadline) throw new Error(`vacuum left ${pages - visible} of ${pages} pages not all-visible for 30 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('a page of 50 and the count, at the end of a 60,000-row round, read the partial indexes and that page’s rows', async () => {
    const contest = await makeContest(db());
    const { round: big } = await makeClosedRound(db(), contest.id);
    const N = 60_000;
    // Every 100th row flagged (600), every 150th ineligible (400): the proportions of a province's round.
    await rawRows(
      db(),
      sql`insert into round_result_rows (round_id, position, rank, user_id, attempt_id, attempt_no, score, total, prediction, prediction_error,
          duration_ms, submitted_at, eligible, ineligible_reason, full_name, phone, flags)
        select ${big.id}, i, i, 'u' || i, 'a' || i, 1, 10, 10, 0, 0, 60000, now(), i % 150 <> 0, case when i % 150 = 0 then 'excluded' end,
          'Nguyễn Thị Người Dự Thi ' || i, '09' || lpad(i::text, 8, '0'),
          case when i % 100 = 0 then array['too_fast', 'answer_farm'] when i % 50 = 0 then array['too_fast'] else '{}' end
        from generate_series(1, ${N}) i`,
    );
    await vacuumAllVisible();
    const [{ pages }] = await rawRows<{ pages: number }>(db(), sql`select pg_relation_size('round_result_rows') / 8192 as pages`);
    expect(Number(pages)).toBeGreaterThan(1_000);

    for (const [f, total] of [
      [{ only: 'flagged' }, 1_200],
      [{ flag: 'answer_farm' }, 600],
      [{ only: 'ineligible' }, 400],
    ] as [RankingFilter, number][]) {
      const q = filteredQueries(db(), big.id, f, total - 50, 50);
      const [{ total: counted }] = await q.count;
      expect(counted).toBe(total);
      const rows = await q.page;
      expect(rows).toHaveLength(50);
      const page = await explain(q.page);
      const count = await explain(q.count);
      // The page: the index's entries up to it, then 50 lookups in the primary key (3 blocks
      // each) and 50 rows: 206-219 blocks. The count: the index's entries alone. A scan of the
      // round's rows reads every page of it (over 1,000).
      expect(
        page.scans.filter((s) => !/round_result_rows_(flagged|ineligible)_idx|round_result_rows_round_id_position_pk/.test(s)),
        JSON.stringify(f),
      ).toEqual([]);
      expect(
        page.scans.some((s) => /^Index Only Scan round_result_rows_(flagged|ineligible)_idx$/.test(s)),
        JSON.stringify(page.scans),
      ).toBe(true);
      expect(page.blocks, JSON.stringify(f)).toBeLessThan(300);
      expect(count.scans, JSON.stringify(f)).toEqual([`Index Only Scan round_result_rows_${f.only ?? 'flagged'}_idx`]);
      expect(count.blocks, JSON.stringify(f)).toBeLessThan(40);
    }
  });
});

import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import type { User } from '../../../db/schema/index';
import { ineligibleReason, isExcluded, type ExclusionEntry } from '../../../server/src/lib/eligibility';
import { collectiveCounts } from '../../../server/src/modules/judging/collective.repo';
import { eligibilityJoins, reasonSql } from '../../../server/src/modules/judging/eligibility.sql';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { makeContest, makePhone, makeResident, makeStaff } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeLocality, makeSubmission } from '../../helpers/results-factories';

// The eligibility rule has one home in SQL (db/migrations/0017: contest_excluded_users,
// ineligible_reason) and a TypeScript twin (lib/eligibility.ts). On random people, lists
// and disqualifications, every SQL user of the rule must agree with the twin: the joins of
// finalize, start_attempts' `excluded`, and the collective counts (per round and contest-wide).

let t: TestContext;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

// Exclusion entries that name the person by national id, by phone, by both, or by
// someone else's values; sometimes twice.
const entryArb = fc.constantFrom('nationalId', 'phone', 'both', 'stranger');
const personArb = fc.record({
  role: fc.constantFrom('resident', 'resident', 'resident', 'organizer', 'judge'),
  entries: fc.array(entryArb, { maxLength: 2 }),
  disqualifiedIn: fc.subarray([0, 1]),
  submittedIn: fc.subarray([0, 1]),
  locality: fc.integer({ min: 0, max: 1 }),
});
const specArb = fc.array(personArb, { minLength: 1, maxLength: 7 });

let seq = 0;
function entryFor(user: User, kind: string): ExclusionEntry {
  if (kind === 'nationalId' && user.nationalId) return { nationalId: user.nationalId, phone: null };
  if (kind === 'both') return { nationalId: user.nationalId, phone: user.phone };
  if (kind === 'stranger') return { nationalId: String(990_000_000_000 + ++seq), phone: makePhone() };
  return { nationalId: null, phone: user.phone };
}

describe('eligibility (SQL) against lib/eligibility.ts', () => {
  it('gives every person the reason and the exclusion the TypeScript twin gives, in finalize, start and the collective counts', async () => {
    const db = t.database.db;
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const contest = await makeContest(db);
        const rounds = [(await makeClosedRound(db, contest.id, { number: 1 }, 0)).round, (await makeClosedRound(db, contest.id, { number: 2 }, 0)).round];
        const localities = [await makeLocality(db, contest.id, 'Xã A'), await makeLocality(db, contest.id, 'Xã B')];
        const exclusions: ExclusionEntry[] = [];
        const people: { user: User; dq: Map<string, string>; submittedIn: number[]; locality: number }[] = [];
        for (const p of spec) {
          const o = { localityId: localities[p.locality].id };
          const user = p.role === 'resident' ? await makeResident(db, o) : await makeStaff(db, p.role as 'organizer' | 'judge', o);
          for (const kind of p.entries) {
            const entry = entryFor(user, kind);
            await makeExclusion(db, contest.id, entry);
            exclusions.push(entry);
          }
          const dq = new Map<string, string>();
          for (const i of p.disqualifiedIn) {
            await makeDisqualification(db, rounds[i].id, user.id, `Lý do ${i}`);
            dq.set(rounds[i].id, `Lý do ${i}`);
          }
          for (const i of p.submittedIn) await makeSubmission(db, rounds[i], user.id, { score: 1 });
          people.push({ user, dq, submittedIn: p.submittedIn, locality: p.locality });
        }
        const ids = people.map((p) => p.user.id);

        for (const round of rounds) {
          // The joins finalize ranks with.
          const rows = await rawRows<{ id: string; reason: string | null }>(
            db,
            sql`select u.id, ${reasonSql} as reason from users u ${eligibilityJoins(round.id, contest.id)} where u.id in ${ids}`,
          );
          const got = new Map(rows.map((r) => [r.id, r.reason]));
          for (const p of people) expect(got.get(p.user.id)).toBe(ineligibleReason(p.user, exclusions, p.dq.get(round.id)));

          // The collective counts: eligible people with a submission in the round.
          const counts = await collectiveCounts(db, contest.id, 'locality', round.id);
          const roundIndex = rounds.indexOf(round);
          for (const [i, l] of localities.entries()) {
            const expected = people.filter(
              (p) => p.locality === i && p.submittedIn.includes(roundIndex) && ineligibleReason(p.user, exclusions, p.dq.get(round.id)) === null,
            ).length;
            expect(counts.find((c) => c.id === l.id)?.participants).toBe(expected);
          }
        }

        // Contest-wide: a person counts with any submission of a round they may compete in.
        const all = await collectiveCounts(db, contest.id, 'locality', null);
        for (const [i, l] of localities.entries()) {
          const expected = people.filter(
            (p) => p.locality === i && p.submittedIn.some((r) => ineligibleReason(p.user, exclusions, p.dq.get(rounds[r].id)) === null),
          ).length;
          expect(all.find((c) => c.id === l.id)?.participants).toBe(expected);
        }

        // start_attempts on a closed round creates nothing and reports the role and the exclusion.
        for (const p of people) {
          const [state] = await rawRows<{ kind: string; role: string; excluded: boolean }>(
            db,
            sql`select kind, role, excluded from start_attempts(${JSON.stringify([{ ord: 1, attempt_id: `probe-${++seq}`, user_id: p.user.id, round_id: rounds[0].id, seed: 1, question_ids: [], now: new Date().toISOString() }])}::jsonb, 30000)`,
          );
          expect(state).toEqual({ kind: 'state', role: p.user.role, excluded: isExcluded(p.user, exclusions) });
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

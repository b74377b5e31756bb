// Heavy exports take turns per process (lib/export-slots.ts), a round's files and an
// organizer's workbooks alike: two at a time, two waiting, 503 SERVICE_UNAVAILABLE with
// Retry-After past that. The slots are held here as long exports would hold them: what is
// asserted is who waits and who is turned away, not time.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, type Round } from '../../../db/schema/index';
import { exportSlots } from '../../../server/src/lib/export-slots';
import { memberToken, useTestApp } from '../../helpers/app';
import { turns } from '../../helpers/event-loop';
import { bearer, makeContest, makeResident, prizeTiers } from '../../helpers/factories';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';
import { finalize } from '../../helpers/requests';

const t = useTestApp();
let judge: string;
let organizer: string;
let round: Round;

beforeAll(async () => {
  judge = await memberToken(t, 'judge');
  organizer = await memberToken(t, 'organizer');
  const contest = await makeContest(t.database.db);
  ({ round } = await makeClosedRound(t.database.db, contest.id, { questionCount: 5, prizes: prizeTiers(['Giải Nhất', 1]) }));
  for (let i = 0; i < 3; i++) await makeSubmission(t.database.db, round, (await makeResident(t.database.db)).id, { score: 5 - i });
  expect((await finalize(t.app, round.id, judge)).statusCode).toBe(200);
});

const organizerFile = (path: string, format: string) =>
  t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${round.contestId}/${path}?format=${format}`, headers: bearer(organizer) });

const exportOf = (format: string) => t.app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${round.id}/export?format=${format}`, headers: bearer(judge) });

/** Takes `n` of the export slots (the running ones first, then places in the queue), as `n` long exports would. */
function holdSlots(n: number) {
  const release: (() => void)[] = [];
  const held = Array.from({ length: n }, () => exportSlots.run(() => new Promise<void>((resolve) => release.push(resolve))));
  return {
    /** Lets every holder finish, the queued ones as their turn comes. */
    async releaseAll() {
      let done = false;
      const all = Promise.all(held).then(() => (done = true));
      while (!done) {
        release.splice(0).forEach((r) => r());
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await all;
    },
  };
}

const exportAudits = async () =>
  (
    await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, round.id), eq(auditLog.action, 'round.export')))
  ).length;

describe('heavy exports per process', () => {
  it('turns an export away with 503 SERVICE_UNAVAILABLE and Retry-After while two run and two wait, and makes nothing', async () => {
    const slots = holdSlots(4);
    try {
      expect([exportSlots.inUse, exportSlots.queued]).toEqual([2, 2]);
      const audits = await exportAudits();
      for (const format of ['csv', 'xlsx', 'pdf']) {
        const res = await exportOf(format);
        expect(res.statusCode).toBe(503);
        expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // No file was made, so none was given out: nothing in the audit log.
      expect(await exportAudits()).toBe(audits);
      // An organizer's workbooks take the same slots; their CSVs (small, written at once) do not.
      for (const path of ['exclusions/export', 'questions/export', 'questions/template']) {
        const res = await organizerFile(path, 'xlsx');
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect((await organizerFile(path, 'csv')).statusCode).toBe(200);
      }
    } finally {
      await slots.releaseAll();
    }
    expect([exportSlots.inUse, exportSlots.queued]).toEqual([0, 0]);
    expect((await exportOf('csv')).statusCode).toBe(200);
  });

  it('lets an export wait its turn while two run, and makes it once one ends', async () => {
    const slots = holdSlots(2);
    let answered = false;
    const pending = exportOf('xlsx').finally(() => (answered = true));
    try {
      // Until it is in the queue (or, with no slots at all, answered).
      while (exportSlots.queued === 0 && !answered) await turns(1);
      await turns(50);
      expect(answered).toBe(false);
      expect(exportSlots.queued).toBe(1);
    } finally {
      await slots.releaseAll();
    }
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });
});

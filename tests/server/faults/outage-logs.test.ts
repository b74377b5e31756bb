// A Postgres outage as the periodic jobs see it (a TCP proxy in between is cut, then brought
// back): each job logs its first failure as an error with its cause, at most one reminder a
// minute while it lasts, and one line when it works again; not a stack trace per poll. Each
// failing request logs its line, the whole error once a minute. The minute passes on a test
// clock; the assertions count lines, never times.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { createLogger } from '../../../server/src/lib/log';
import { ConsoleSender, OtpService } from '../../../server/src/modules/otp/index';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { testClock, type TestClock } from '../../helpers/clock';
import { createTestDatabase, proxiedDatabase, type TestDatabase } from '../../helpers/db';
import type { CuttableProxy } from '../../helpers/net';

type Line = Record<string, unknown> & { level: number; msg: string };

/** A real logger (lib/log.ts) writing into an array. */
function capture() {
  const lines: Line[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  return { lines, logger };
}

const turns = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (ok()) return;
    await turns(50);
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * Cuts Postgres and walks through an outage of two "minutes" on `clock`, then brings it back;
 * returns the lines the job logged about itself meanwhile, in order.
 */
async function outage(o: { proxy: CuttableProxy; clock: TestClock; lines: Line[]; about: string; pollMs: number }) {
  const mine = () => o.lines.filter((l) => l.msg.includes(o.about));
  const from = mine().length;
  const since = () => mine().slice(from);
  // Polls enough for a line each to show: ~40 polls.
  const polls = () => turns(o.pollMs * 40);

  await o.proxy.down();
  await until('the first failure is logged', () => since().length > 0);
  await polls();
  const first = since().length;

  o.clock.advance(61_000);
  await until('a reminder', () => since().length > first);
  await polls();
  const afterOneMinute = since().length;

  o.clock.advance(61_000);
  await until('a second reminder', () => since().length > afterOneMinute);
  await polls();
  const afterTwoMinutes = since().length;

  await o.proxy.up();
  // Not thrown here: the counts above say more about a job that never tells of its recovery.
  await until('the recovery is logged', () => since().some((l) => l.level === 30)).catch(() => {});
  await polls();
  return { lines: since(), first, afterOneMinute, afterTwoMinutes };
}

let direct: TestDatabase;
let proxy: CuttableProxy;
let proxied: Database;

beforeAll(async () => {
  direct = await createTestDatabase();
  ({ proxy, database: proxied } = await proxiedDatabase(direct));
});

afterAll(async () => {
  await proxied?.close().catch(() => {});
  await proxy.down().catch(() => {});
  await direct.destroy();
});

function expectOneOutage(r: Awaited<ReturnType<typeof outage>>, cause: RegExp) {
  // One error with its cause, then nothing more within the minute.
  expect(r.first).toBe(1);
  expect(r.lines[0]).toMatchObject({ level: 50, err: { message: expect.any(String) } });
  expect(JSON.stringify(r.lines[0].err)).toMatch(cause);
  // One reminder for each minute, counting the failures so far.
  expect(r.afterOneMinute).toBe(2);
  expect(r.afterTwoMinutes).toBe(3);
  expect(r.lines[1]).toMatchObject({ level: 40, msg: expect.stringContaining('still failing'), reason: expect.stringMatching(cause) });
  expect(r.lines[1].err).toBeUndefined();
  expect(r.lines[2].failures as number).toBeGreaterThan(r.lines[1].failures as number);
  expect(r.lines[1].failures as number).toBeGreaterThan(1);
  // One line on recovery, and nothing after it.
  expect(r.lines).toHaveLength(4);
  expect(r.lines[3]).toMatchObject({ level: 30, msg: expect.stringContaining('works again'), failures: expect.any(Number) });
  expect(r.lines[3].failures as number).toBeGreaterThanOrEqual(r.lines[2].failures as number);
}

describe('a Postgres outage, as the periodic jobs and the requests log it', () => {
  let t: TestContext;
  const clock = testClock();
  const { lines, logger } = capture();

  beforeAll(async () => {
    t = await makeTestApp({
      database: { ...proxied, name: direct.name, url: direct.url, destroy: async () => {} },
      withRedis: false,
      logger,
      tokenVersions: { pollMs: 20, loadTimeoutMs: 1_000, now: clock.now },
      now: clock.now,
    });
  });
  afterAll(() => t?.close());

  it('the token-revocation poll: one error, a reminder a minute, one line when back', async () => {
    const r = await outage({ proxy, clock, lines, about: 'token revocations', pollMs: 20 });
    expectOneOutage(r, /ECONNREFUSED|CONNECTION_CLOSED|ECONNRESET|no answer/);
  }, 120_000);

  it('the OTP outbox: one error, a reminder a minute, one line when back', async () => {
    const otpClock = testClock();
    const otp = capture();
    const service = new OtpService(
      proxied.db,
      randomBytes(32).toString('hex'),
      { sender: new ConsoleSender(otp.logger), pollMs: 20 },
      otp.logger,
      () => new Date(otpClock.now()),
    );
    service.start();
    try {
      const r = await outage({ proxy, clock: otpClock, lines: otp.lines, about: 'OTP outbox', pollMs: 20 });
      expectOneOutage(r, /ECONNREFUSED|CONNECTION_CLOSED|ECONNRESET|no answer/);
    } finally {
      await service.close();
    }
  }, 120_000);

  // Requests meet the same outage: each logs its line, with its request id and the cause, but
  // the whole error (stack, causes) only once a minute (plugins/errors.ts).
  it('logs each failing request with its id and cause, and the whole error once a minute', async () => {
    const ask = (i: number) => t.app.inject({ method: 'GET', url: '/api/v1/contests', headers: { 'x-request-id': `outage-${i}` } });
    const logged = () => lines.filter((l) => l.msg === 'dependency unavailable');
    await proxy.down();
    try {
      for (let i = 0; i < 20; i++) expect((await ask(i)).statusCode).toBe(503);
      clock.advance(61_000);
      expect((await ask(20)).statusCode).toBe(503);
    } finally {
      await proxy.up();
    }
    const mine = logged();
    expect(mine.map((l) => l.requestId)).toEqual(Array.from({ length: 21 }, (_, i) => `outage-${i}`));
    for (const l of mine) expect(l).toMatchObject({ level: 40, reason: expect.stringMatching(/ECONNREFUSED|CONNECTION_CLOSED|ECONNRESET|no answer/) });
    // The whole error: on the first request, then on the first a minute later; not between.
    expect(mine.map((l) => l.err !== undefined)).toEqual([true, ...Array<boolean>(19).fill(false), true]);
    expect(JSON.stringify(mine[0].err)).toContain('    at ');
    // And the requests are served again once Postgres is back (the pool reconnects within a second).
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await t.app.inject({ method: 'GET', url: '/api/v1/contests' })).statusCode;
      if (status !== 200) await turns(100);
    }
    expect(status).toBe(200);
  }, 60_000);
});

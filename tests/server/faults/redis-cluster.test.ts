import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, submissions } from '../../../db/schema/index';
import type { RedisThrottle } from '../../../server/src/lib/throttle';
import { createRedisCluster } from '../../../server/src/plugins/redis';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit, firstOptions } from '../../helpers/requests';
import { freePort } from '../../helpers/net';

// A local 3-node Redis Cluster (redis-server on ports of its own, joined with
// `redis-cli --cluster create`): the throttle and the attempt caps work on it.

const run = promisify(execFile);

const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
const nodes: ChildProcess[] = [];
let ports: number[] = [];
let t: TestContext;

beforeAll(async () => {
  ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    nodes.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  for (const port of ports) {
    for (let i = 0; ; i++) {
      try {
        await run('redis-cli', ['-p', String(port), 'ping']);
        break;
      } catch (err) {
        if (i > 100) throw new Error(`redis-server on ${port} did not start (is redis-server installed?)`, { cause: err });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (let i = 0; ; i++) {
    const states = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout)));
    if (states.every((s) => s.includes('cluster_state:ok'))) break;
    if (i > 100) throw new Error('the cluster did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const cluster = createRedisCluster(ports.map((p) => `redis://127.0.0.1:${p}`));
  await new Promise<void>((resolve, reject) => {
    (cluster as unknown as NodeJS.EventEmitter).once('ready', () => resolve());
    (cluster as unknown as NodeJS.EventEmitter).once('error', reject);
  });
  t = await makeTestApp({ redis: cluster, limits: { startPerUser: { limit: 3, windowMs: 60_000 } } });
}, 60_000);

afterAll(async () => {
  await t?.close();
  for (const n of nodes) n.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function keysOnNodes(): Promise<number[]> {
  return Promise.all(ports.map(async (p) => Number((await run('redis-cli', ['-p', String(p), 'dbsize'])).stdout.trim())));
}

describe('on a 3-node Redis Cluster', () => {
  it('throttles starts per resident across slots and answers 429 past the budget', async () => {
    const contest = await makeContest(t.app.db);
    const { round } = await makeRound(t.app.db, contest.id, { questionCount: 3, maxAttempts: 10 }, 3);
    const residents = await Promise.all(Array.from({ length: 6 }, () => makeResident(t.app.db)));
    for (const r of residents) {
      const token = tokenFor(t.app, r);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await start(t.app, round.id, token)).statusCode);
      expect(statuses.slice(0, 3).every((s) => s === 201 || s === 200)).toBe(true);
      expect(statuses.slice(3)).toEqual([429, 429]);
    }
    expect((t.app.throttle as RedisThrottle).mode).toBe('redis');
    // Six residents' keys hash to different slots: more than one node holds counters.
    expect((await keysOnNodes()).filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('holds the attempt cap under 40 parallel starts and stores one submission under parallel submits', async () => {
    const contest = await makeContest(t.app.db);
    const { round } = await makeRound(t.app.db, contest.id, { questionCount: 3, maxAttempts: 2 }, 3);
    const resident = await makeResident(t.app.db);
    const other = await makeTestApp({ redis: t.redis, database: t.database, limits: { startPerUser: { limit: 1000, windowMs: 60_000 } } });
    try {
      const token = tokenFor(t.app, resident);
      const starts = await Promise.all(Array.from({ length: 40 }, () => start(other.app, round.id, token)));
      expect(starts.every((s) => s.statusCode < 500)).toBe(true);
      const stored = await t.app.db.select().from(attempts).where(eq(attempts.roundId, round.id));
      expect(stored.length).toBeLessThanOrEqual(2);
      const attempt = starts.find((s) => s.statusCode === 201)!.json();
      const payload = firstOptions(attempt, 7, 1);
      const submits = await Promise.all(Array.from({ length: 20 }, () => submit(other.app, attempt.attemptId, token, payload)));
      expect(submits.every((s) => s.statusCode === 200)).toBe(true);
      expect(new Set(submits.map((s) => s.json().submittedAt)).size).toBe(1);
      expect(await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toHaveLength(1);
    } finally {
      await other.app.close();
    }
  });
});

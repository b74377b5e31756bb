// An export is written to a folder in the temp folder before it is sent (exports.file.ts),
// and the file carries personal data. It must not outlive its request: removed when the
// client leaves, when the process exits at a stop's deadline, and, for what a kill left,
// swept at the next start and every EXPORT_SWEEP_SECONDS while the server runs; never another
// live process's folder (WORKERS=2 share /tmp).
// The export is held in flight by a lock on the table it reads, not by timing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStaleExportDirs } from '../../../server/src/lib/export-files';
import { memberToken, useTestApp } from '../../helpers/app';
import { makeContest, makeResident, prizeTiers } from '../../helpers/factories';
import { freePort } from '../../helpers/net';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';
import { finalize } from '../../helpers/requests';
import { ServerProcess, serverEnv } from '../../helpers/server-process';

const MINUTE = 60_000;

/** A pid that named a process a moment ago and names none now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((r) => child.once('exit', r));
  return pid;
}

/** A folder as an export makes it (name, one file), last written `agoMs` ago. */
function exportDir(root: string, name: string, agoMs: number, fileAgoMs = agoMs): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const file = join(dir, 'export.xlsx');
  writeFileSync(file, 'Nguyễn Thị Hoa,0912345678');
  const at = (ago: number) => new Date(Date.now() - ago);
  utimesSync(file, at(fileAgoMs), at(fileAgoMs));
  utimesSync(dir, at(agoMs), at(agoMs));
  return dir;
}

/** The export folders (any app's naming: the old code wrote `export-XXXXXX`) in `root`, less those in `known`. */
const exportDirs = (root: string, known: string[] = []) => readdirSync(root).filter((n) => n.includes('export-') && !known.includes(n));

async function until(what: string, ok: () => boolean | Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('the sweep of export folders left behind', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sweep-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("removes what dead or long-idle makers left, and nothing of a live process's, another app's or its own", async () => {
    const dead = await deadPid();
    const alive = process.ppid;
    const removedOrphan = exportDir(root, `thi-export-${dead}-aaaaaa`, 2 * MINUTE);
    const freshOrphan = exportDir(root, `thi-export-${dead}-bbbbbb`, 0);
    const beingWritten = exportDir(root, `thi-export-${dead}-gggggg`, 2 * 60 * MINUTE, 0);
    const liveIdle = exportDir(root, `thi-export-${alive}-cccccc`, 30 * MINUTE);
    const liveHourOld = exportDir(root, `thi-export-${alive}-dddddd`, 2 * 60 * MINUTE);
    const own = exportDir(root, `thi-export-${process.pid}-eeeeee`, 2 * 60 * MINUTE);
    const otherApp = exportDir(root, 'export-ffffff', 2 * 60 * MINUTE);
    writeFileSync(join(root, `thi-export-${dead}-hhhhhh`), 'a file, not a folder');
    utimesSync(join(root, `thi-export-${dead}-hhhhhh`), new Date(0), new Date(0));

    const removed = await sweepStaleExportDirs({ root });

    expect(removed.sort()).toEqual([removedOrphan, liveHourOld].sort());
    expect(exportDirs(root).sort()).toEqual(
      [freshOrphan, beingWritten, liveIdle, own, otherApp]
        .map((d) => d.slice(root.length + 1))
        .concat(`thi-export-${dead}-hhhhhh`)
        .sort(),
    );
  });
});

describe('an export in flight, on the compiled server', () => {
  const t = useTestApp();
  let root: string;
  let server: ServerProcess;
  let base: string;
  let url: string;
  let locker: postgres.Sql;
  let staleAtStart: string;
  let liveAtStart: string;
  let judge: string;
  let afterStart: string[];

  // Sweeps every second: the tests below also see that a sweep never takes a folder in use.
  const env = (port: number): NodeJS.ProcessEnv => serverEnv({ DATABASE_URL: t.database.url, TMPDIR: root, PORT: String(port), EXPORT_SWEEP_SECONDS: '1' });

  /** Holds every read of the ranked rows until release(): the export waits inside its transaction, its folder made. */
  async function holdRows() {
    const conn = await locker.reserve();
    await conn`begin`;
    await conn`lock table round_result_rows in access exclusive mode`;
    return async () => {
      await conn`rollback`;
      conn.release();
    };
  }

  /** GET of the export; resolves with the status, or 'aborted'. */
  function askExport(token: string) {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } });
    const answered = new Promise<number | 'aborted'>((resolve) => {
      let answer: number | 'aborted' = 'aborted';
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => (answer = res.statusCode ?? 0));
      });
      req.on('error', () => {});
      req.on('close', () => resolve(answer));
    });
    req.end();
    return { req, answered };
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'exports-tmp-'));
    // Left by a worker of an earlier run that was killed (its pid gone), and one of a live process.
    staleAtStart = exportDir(root, `thi-export-${await deadPid()}-zzzzzz`, 5 * MINUTE);
    liveAtStart = exportDir(root, `thi-export-${process.pid}-yyyyyy`, 5 * MINUTE);
    locker = postgres(t.database.url, { max: 2, onnotice: () => {} });

    const db = t.database.db;
    judge = await memberToken(t, 'judge');
    const contest = await makeContest(db);
    const { round } = await makeClosedRound(db, contest.id, { questionCount: 5, prizes: prizeTiers(['Giải Nhất', 1]) });
    for (let i = 0; i < 5; i++) await makeSubmission(db, round, (await makeResident(db)).id, { score: i, prediction: 10 + i });
    expect((await finalize(t.app, round.id, judge)).statusCode).toBe(200);

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    url = `${base}/api/v1/judge/rounds/${round.id}/export?format=xlsx`;
    server = new ServerProcess(env(port));
    await server.serving(`${base}/readyz`, { name: 'server', withinMs: 60_000, everyMs: 200, ready: () => server.output.includes('đang chạy tại') });
    afterStart = exportDirs(root);
    // The live process's folder has made its point: the tests below count the folders the server makes.
    rmSync(liveAtStart, { recursive: true, force: true });
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await locker?.end({ timeout: 5 });
    rmSync(root, { recursive: true, force: true });
  });

  it("sweeps at start what a killed process left, not a live process's folder", () => {
    expect(afterStart).toEqual([liveAtStart.slice(root.length + 1)]);
    expect(afterStart).not.toContain(staleAtStart.slice(root.length + 1));
    const line = server.output.split('\n').find((l) => l.includes('removed export files'));
    expect(JSON.parse(line!)).toMatchObject({ level: 30, removed: 1 });
  });

  it('sweeps again while it runs: what a process that ended left goes within seconds, not at the next start', async () => {
    // A worker that crashed (its pid gone) left its folder; the primary started another.
    const orphan = exportDir(root, `thi-export-${await deadPid()}-xxxxxx`, 5 * MINUTE);
    const live = exportDir(root, `thi-export-${process.pid}-wwwwww`, 5 * MINUTE);
    try {
      await until('the orphan is swept', () => !existsSync(orphan));
      // Sweeps have run since (one a second), and a live process's folder is still there.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(live, { recursive: true, force: true });
    }
  }, 60_000);

  it("removes the request's folder as soon as the client leaves, while another process starting on the same temp folder keeps it", async () => {
    const before = exportDirs(root);
    const release = await holdRows();
    let second: ServerProcess | undefined;
    try {
      const { req, answered } = askExport(judge);
      await until('the export made its folder', () => exportDirs(root, before).length === 1);
      const [inFlight] = exportDirs(root, before);
      // Idle for minutes (waiting on the database), its maker alive: a second process's start
      // (a restarted worker, WORKERS=2) must leave it.
      utimesSync(join(root, inFlight), new Date(Date.now() - 5 * MINUTE), new Date(Date.now() - 5 * MINUTE));
      for (const f of readdirSync(join(root, inFlight)))
        utimesSync(join(root, inFlight, f), new Date(Date.now() - 5 * MINUTE), new Date(Date.now() - 5 * MINUTE));
      const port = await freePort();
      second = new ServerProcess(env(port));
      await second.serving(`http://127.0.0.1:${port}/healthz`, {
        name: 'second server',
        withinMs: 60_000,
        everyMs: 200,
        ready: () => second!.output.includes('đang chạy tại'),
      });
      expect(exportDirs(root, before)).toEqual([inFlight]);

      req.destroy();
      expect(await answered).toBe('aborted');
      // The rows are still locked: the folder goes on the abort, not when the export ends.
      await until('the folder of the aborted export is removed', () => exportDirs(root, before).length === 0);
    } finally {
      await release();
      await second?.stop('SIGKILL');
    }
    // The aborted export's transaction ends too (its slot and connection with it): nothing
    // holds the rows' table any more. An XLSX writer whose output died used to wait forever.
    await until('the aborted export has let go of the rows', async () => {
      const [{ n }] = await locker<{ n: number }[]>`select count(*)::int as n from pg_locks where relation = 'round_result_rows'::regclass`;
      return n === 0;
    });
    // The slot is free again and the next export is whole; its folder goes once sent.
    const { answered } = askExport(judge);
    expect(await answered).toBe(200);
    await until('the sent export has no folder left', () => exportDirs(root, before).length === 0);
    expect(server.output).not.toContain('unhandled error');
  }, 120_000);

  it("removes the folder of an export still running when a stop's drain runs out", async () => {
    const before = exportDirs(root);
    const release = await holdRows();
    try {
      const { answered } = askExport(judge);
      await until('the export made its folder', () => exportDirs(root, before).length === 1);
      const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
      server.child.kill('SIGTERM');
      // The export cannot end (its rows are locked): the drain's deadline ends the process.
      expect(await exited).toBe(1);
      expect(server.output).toContain('requests still running after the drain period');
      expect(exportDirs(root, before)).toEqual([]);
      await answered;
    } finally {
      await release();
    }
  }, 60_000);
});

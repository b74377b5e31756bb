import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNationalId } from '../../server/src/lib/identity';
import { freePort } from '../helpers/net';
import { ServerProcess } from '../helpers/server-process';

// The embedded default as a user gets it: `npm start` (the compiled server) with no DATABASE_URL and no
// REDIS_URL, i.e. PGlite in a data folder and the in-process throttle.

let server: ServerProcess;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'embedded-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.JWT_SECRET;
  // The compiled server, as `npm start` runs it (tests/global-setup.ts builds dist/).
  server = new ServerProcess(env);
  await server.serving(`${base}/healthz`, { name: 'embedded server', withinMs: 90_000, everyMs: 250, ready: () => server.output.includes('0901000001') });
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, token?: string) =>
  fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('embedded default (PGlite, in-process throttle)', () => {
  it('prints the URL and the demo accounts', () => {
    expect(server.output).toContain('http://localhost:');
    expect(server.output).toMatch(/organizer\s+0901000002/);
    expect(server.output).toMatch(/judge\s+0901000003/);
  });

  it('is ready without Redis', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: 'ok', redis: 'in-process' });
  });

  it('serves the seeded demo contest with 4 weekly rounds, round 1 open', async () => {
    const list = await (await fetch(`${base}/api/v1/contests`)).json();
    expect(list).toHaveLength(1);
    expect(list[0].title).toBe('Cuộc thi trực tuyến tìm hiểu về chuyển đổi số tỉnh Thanh Hóa');
    const contest = await (await fetch(`${base}/api/v1/contests/${list[0].id}`)).json();
    expect(contest.rounds.map((r: { number: number; status: string }) => [r.number, r.status])).toEqual([
      [1, 'open'],
      [2, 'upcoming'],
      [3, 'upcoming'],
      [4, 'upcoming'],
    ]);
    expect(contest.rounds[0]).toMatchObject({ questionCount: 20, timeLimitSeconds: 1200 });
    expect(contest.rounds[0].prizes).toEqual([
      { name: 'Giải Nhất', count: 1 },
      { name: 'Giải Nhì', count: 2 },
      { name: 'Giải Ba', count: 3 },
      { name: 'Giải Khuyến khích', count: 5 },
    ]);
    expect(contest.localities.length).toBeGreaterThan(20);
  });

  it('registers a resident, logs in and reads the profile', async () => {
    const reg = await post('/auth/register', {
      fullName: 'Hoàng Văn Dũng',
      phone: '0387654321',
      password: 'mat-khau-123',
      nationalId: makeNationalId(1988, 4321),
      birthYear: 1988,
    });
    expect(reg.status).toBe(201);
    const login = await post('/auth/login', { phone: '+84387654321', password: 'mat-khau-123' });
    expect(login.status).toBe(200);
    const { token } = await login.json();
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ fullName: 'Hoàng Văn Dũng', phone: '0387654321', role: 'resident' });
  });

  it('lets the demo organizer see the 100+ question bank', async () => {
    const login = await post('/auth/login', { phone: '0901000002', password: 'demo12345' });
    const { token } = await login.json();
    const list = await (await fetch(`${base}/api/v1/contests`)).json();
    const bank = await fetch(`${base}/api/v1/admin/contests/${list[0].id}/questions`, { headers: { authorization: `Bearer ${token}` } });
    expect(bank.status).toBe(200);
    const questions = await bank.json();
    expect(questions.length).toBeGreaterThanOrEqual(100);
    for (const q of questions) {
      expect(q.options.length).toBeGreaterThanOrEqual(3);
      expect(q.options.filter((o: { correct: boolean }) => o.correct)).toHaveLength(1);
      expect(q.explanation).toBeTruthy();
    }
  });
});

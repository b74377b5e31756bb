import { execFile } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { verify } from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import helmet from 'helmet';
import { users } from '../../../db/schema/index';
import { HELMET_OPTIONS, securityHeaders } from '../../../server/src/app';
import { createDatabase } from '../../../db/client';
import { redisClientOptions } from '../../../server/src/plugins/redis';
import { useTestApp, makeTestApp } from '../../helpers/app';
import { login } from '../../helpers/requests';

const run = promisify(execFile);

const t = useTestApp();

describe('GET /healthz and /readyz', () => {
  it('answer 200 when the database and Redis answer', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ database: 'ok', redis: 'ok' });
  });

  it('/readyz answers 200 degraded when Redis does not answer and the fallback serves', async () => {
    // Nothing listens on port 1: the client fails fast (no offline queue).
    const deadRedis = new Redis({ ...redisClientOptions, port: 1, host: '127.0.0.1', retryStrategy: () => null });
    deadRedis.on('error', () => {});
    const other = await makeTestApp({ redis: deadRedis, database: t.database });
    try {
      expect((await other.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'degraded', redis: 'down', database: 'ok' });
      // The fallback does serve: a throttled public route still answers.
      expect((await other.app.inject({ method: 'GET', url: '/api/v1/contests' })).statusCode).toBe(200);
    } finally {
      await other.app.close();
      deadRedis.disconnect();
    }
  });

  it('while the process stops, /readyz answers 503 stopping in its own shape, /healthz 200, the API 503 SERVICE_UNAVAILABLE', async () => {
    const other = await makeTestApp({ database: t.database });
    try {
      other.app.startDraining();
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'stopping' });
      expect(ready.headers['retry-after']).toBeDefined();
      expect((await other.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const api = await other.app.inject({ method: 'GET', url: '/api/v1/contests' });
      expect([api.statusCode, api.json().code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    } finally {
      await other.app.close();
    }
  });

  it('/readyz answers 503 with Retry-After when the database does not answer', async () => {
    // A database whose server is gone: nothing listens on port 1.
    const gone = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
    const other = await makeTestApp({ database: Object.assign(gone, { name: 'none', url: '', destroy: () => gone.close() }) });
    try {
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBeDefined();
      expect(ready.json()).toMatchObject({ status: 'unavailable', database: 'down', redis: 'ok' });
    } finally {
      await other.close();
      await gone.close();
    }
  });
});

describe('GET /docs/json', () => {
  it('publishes the OpenAPI document generated from the route schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/register', '/api/v1/contests/{contestId}', '/api/v1/admin/rounds/{roundId}/questions']),
    );
    expect(doc.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['fullName', 'phone', 'password', 'nationalId', 'birthYear']),
    );
  });
});

describe('unknown routes', () => {
  it('answer 404 in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found' });
  });

  it('answer a URL with a broken %-escape 400 in the error shape, with the usual headers and without echoing the path', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/contests/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, code: 'BAD_REQUEST', error: 'Bad Request', message: 'The URL is malformed' });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toContain('%E0');
  });
});

describe('npm run user:create', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'server/src/cli/user-create.ts', ...args], { env: { ...process.env, DATABASE_URL: t.database.url } });

  it('creates a staff account against DATABASE_URL with a hashed password', async () => {
    const { stdout } = await cli(['--role', 'judge', '--phone', '+84 988 777 666', '--password', 'giam-khao-123', '--name', 'Đỗ Thị Giám Khảo']);
    expect(stdout).toContain('Created judge');
    const [u] = await t.database.db.select().from(users).where(eq(users.phone, '0988777666'));
    expect(u).toMatchObject({ role: 'judge', fullName: 'Đỗ Thị Giám Khảo' });
    expect(await verify(u.passwordHash, 'giam-khao-123')).toBe(true);
  });

  it('refuses bad arguments and a taken phone with a non-zero exit', async () => {
    await expect(cli(['--role', 'king', '--phone', '0988777555', '--password', 'xxxxxxxx1', '--name', 'A B'])).rejects.toMatchObject({ code: 2 });
    await expect(cli(['--role', 'organizer', '--phone', '123', '--password', 'xxxxxxxx1', '--name', 'A B'])).rejects.toMatchObject({ code: 2 });
    await expect(cli(['--role', 'organizer', '--phone', '0988777666', '--password', 'xxxxxxxx1', '--name', 'A B'])).rejects.toMatchObject({ code: 1 });
  });

  it('gives up on a DATABASE_URL that accepts and never answers after DB_CONNECT_TIMEOUT, naming host:port (exit 1), instead of hanging', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const err = await run(
        process.execPath,
        ['--import', 'tsx', 'server/src/cli/user-create.ts', '--role', 'judge', '--phone', '0988777333', '--password', 'xxxxxxxx1', '--name', 'A B'],
        { env: { ...process.env, DATABASE_URL: `postgres://u:secret@127.0.0.1:${port}/x`, DB_CONNECT_TIMEOUT: '1' }, timeout: 60_000 },
      ).catch((e: { code: number; stderr: string; killed?: boolean }) => e);
      expect(err).toMatchObject({ code: 1 });
      expect((err as { stderr: string }).stderr).toContain(`127.0.0.1:${port}`);
      expect((err as { stderr: string }).stderr).not.toContain('secret');
      expect(Date.now() - started).toBeLessThan(45_000);
    } finally {
      silent.close();
    }
  });

  it('says what is wrong with the environment in its lines, without a stack, as the server does (exit 1)', async () => {
    for (const script of ['user-create.ts', 'db-migrate.ts', 'db-seed.ts']) {
      const err = await run(
        process.execPath,
        ['--import', 'tsx', `server/src/cli/${script}`, '--role', 'judge', '--phone', '0988777444', '--password', 'xxxxxxxx1', '--name', 'A B'],
        {
          env: { ...process.env, DATABASE_URL: t.database.url, WORKERS: '0' },
        },
      ).catch((e: { code: number; stderr: string }) => e);
      expect(err, script).toMatchObject({ code: 1 });
      const { stderr } = err as { stderr: string };
      expect(stderr, script).toContain('Invalid configuration:\n  - WORKERS:');
      expect(stderr, script).not.toMatch(/^\s+at /m);
    }
  });
});

describe('request hardening', () => {
  it('refuses JSON nested too deep with 400, bodies over the limit with 413, and proto poisoning with 400', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('JSON_TOO_DEEP');
    const huge = await login(t.app, '0912345678', 'x'.repeat(2_000_000));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('PAYLOAD_TOO_LARGE');
    const proto = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"phone":"0912345678","password":"abcdefgh","__proto__":{"role":"admin"}}',
    });
    expect(proto.statusCode).toBe(400);
  });

  it('sends security headers and no CORS grant to other origins', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/contests', headers: { origin: 'https://evil.example' } });
    expect(res.headers).toMatchObject({
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    // The same on the hot path, on an error, and on the web app's pages.
    for (const r of [
      await t.app.inject({ method: 'POST', url: '/api/v1/attempts/x/submit', payload: {} }),
      await t.app.inject({ method: 'GET', url: '/api/v1/nowhere' }),
      await t.app.inject({ method: 'GET', url: '/' }),
    ]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('sends exactly the headers that helmet sets on a real response', () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    res.setHeader('x-powered-by', 'something');
    let next = false;
    helmet(HELMET_OPTIONS)(res.req, res, () => (next = true));
    expect(next).toBe(true);
    const byHelmet = Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, String(v)]));
    expect(securityHeaders()).toEqual(byHelmet);
    expect(Object.keys(byHelmet)).toHaveLength(11);
  });
});

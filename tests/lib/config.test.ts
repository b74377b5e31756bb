import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config';

describe('loadConfig', () => {
  it('defaults to the embedded mode on port 3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', WORKERS: 1 });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.pgliteDir).toMatch(/data[/\\]pglite$/);
  });

  it('stops a production start that lacks DATABASE_URL, REDIS_URL or a 32-byte JWT_SECRET, naming each', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('REDIS_URL');
      expect(msg).toContain('JWT_SECRET');
    }
    const ok = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/app', REDIS_URL: 'redis://cache:6379', JWT_SECRET: 'x'.repeat(32) });
    expect(ok.NODE_ENV).toBe('production');
  });

  it('takes the per-process cache sizes as whole numbers, leaving the defaults to the code when unset', () => {
    expect(loadConfig({ TOKEN_CACHE_SIZE: '150000', ATTEMPT_CACHE_SIZE: '80000' })).toMatchObject({ TOKEN_CACHE_SIZE: 150_000, ATTEMPT_CACHE_SIZE: 80_000 });
    expect(loadConfig({ TOKEN_CACHE_SIZE: '' }).TOKEN_CACHE_SIZE).toBeUndefined();
    expect(() => loadConfig({ TOKEN_CACHE_SIZE: 'many' })).toThrow(/TOKEN_CACHE_SIZE/);
    expect(() => loadConfig({ ATTEMPT_CACHE_SIZE: '1.5' })).toThrow(/ATTEMPT_CACHE_SIZE/);
    expect(() => loadConfig({ ATTEMPT_CACHE_SIZE: '0' })).toThrow(/ATTEMPT_CACHE_SIZE/);
  });

  it('waits 30 s for PostgreSQL at start unless DB_CONNECT_TIMEOUT says otherwise, in whole seconds', () => {
    expect(loadConfig({}).DB_CONNECT_TIMEOUT).toBe(30);
    expect(loadConfig({ DB_CONNECT_TIMEOUT: '' }).DB_CONNECT_TIMEOUT).toBe(30);
    expect(loadConfig({ DB_CONNECT_TIMEOUT: '90' }).DB_CONNECT_TIMEOUT).toBe(90);
    expect(() => loadConfig({ DB_CONNECT_TIMEOUT: '0' })).toThrow(/DB_CONNECT_TIMEOUT/);
    expect(() => loadConfig({ DB_CONNECT_TIMEOUT: '30s' })).toThrow(/DB_CONNECT_TIMEOUT/);
  });

  it('rejects a malformed URL or port', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    // postgres:// alone would reach the driver's defaults: this machine, a database named as the OS user.
    expect(() => loadConfig({ DATABASE_URL: 'postgres://' })).toThrow(/DATABASE_URL: must name its host/);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/contest' }).DATABASE_URL).toBe('postgres://u:p@db:5432/contest');
    expect(loadConfig({ DATABASE_URL: 'postgres:///contest?host=/var/run/postgresql' }).DATABASE_URL).toBeDefined();
  });

  it('takes an empty PORT, HOST or DATA_DIR as unset (an "X=" line in a .env or a compose file), not as port 0 or this folder', () => {
    const c = loadConfig({ PORT: '', HOST: ' ', DATA_DIR: '' });
    expect(c).toMatchObject({ PORT: 3000, HOST: '0.0.0.0' });
    expect(c.pgliteDir).toMatch(/data[/\\]pglite$/);
  });

  it('refuses SEED_DEMO=true in production, and a malformed token lifetime', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ ...prod, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
    expect(loadConfig({ ...prod, SEED_DEMO: 'false' }).SEED_DEMO).toBe('false');
    expect(() => loadConfig({ STAFF_JWT_EXPIRES_IN: 'forever' })).toThrow(/STAFF_JWT_EXPIRES_IN/);
    expect(loadConfig({}).STAFF_JWT_EXPIRES_IN).toBe('4h');
    // Zero, in any unit, is no lifetime (@fastify/jwt could not sign with it).
    for (const zero of ['0', '0s', '00h'])
      for (const name of ['JWT_EXPIRES_IN', 'STAFF_JWT_EXPIRES_IN']) expect(() => loadConfig({ [name]: zero })).toThrow(new RegExp(name));
    expect(loadConfig({ JWT_EXPIRES_IN: '3600' }).JWT_EXPIRES_IN).toBe('3600');
  });

  it('takes one-time codes from the console in development only, and over http with a URL and token', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({}).otpProvider).toBe('console');
    expect(loadConfig(prod).otpProvider).toBe('none');
    expect(() => loadConfig({ ...prod, OTP_PROVIDER: 'console' })).toThrow(/OTP_PROVIDER/);
    expect(() => loadConfig({ OTP_PROVIDER: 'http' })).toThrow(/OTP_HTTP_URL/);
    expect(loadConfig({ ...prod, OTP_PROVIDER: 'http', OTP_HTTP_URL: 'https://sms.example.vn/send', OTP_HTTP_TOKEN: 't' }).otpProvider).toBe('http');
    expect(() => loadConfig({ ...prod, REGISTRATION_OTP: 'on' })).toThrow(/REGISTRATION_OTP/);
  });

  it('asks no proof of work on registration unless REGISTRATION_POW=on, in production too (API.md’s register body has none)', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({}).registrationPow).toBe(false);
    expect(loadConfig(prod).registrationPow).toBe(false);
    expect(loadConfig({ ...prod, REGISTRATION_POW: 'on' }).registrationPow).toBe(true);
    expect(loadConfig({ REGISTRATION_POW: 'on' }).registrationPow).toBe(true);
    expect(() => loadConfig({ REGISTRATION_POW: 'yes' })).toThrow(/REGISTRATION_POW/);
  });
});

describe('TRUST_PROXY', () => {
  it('takes true, false, a hop count, or a comma list of addresses and CIDRs', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1,fd00::/8' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8']);
    expect(loadConfig({ TRUST_PROXY: '' }).TRUST_PROXY).toBeUndefined();
  });

  it('refuses any other form at start with a ConfigError naming the variable', () => {
    for (const bad of ['yes', '10.0.0.0/33', '::/129', '300.1.1.1', 'loadbalancer', '10.0.0.1,', '-1', '1.5']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional, also in production, and refused when too short to be a secret', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/app', REDIS_URL: 'redis://cache:6379', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(prod).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ ...prod, METRICS_TOKEN: 'm'.repeat(24) }).METRICS_TOKEN).toBe('m'.repeat(24));
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

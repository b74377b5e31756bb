// docker-compose.yml, read as compose reads it, since nothing here runs Docker: compose
// interpolates every service, those of profiles not enabled included, before it picks the
// services to run (docker/compose#11977), so a required variable (`${X:?}`) anywhere stops
// even a plain `docker compose up`. Grafana's admin password must still have no default.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const text = readFileSync('docker-compose.yml', 'utf8');
const doc = parseDocument(text);
const compose = doc.toJS() as {
  services: Record<string, { profiles?: string[]; restart?: string; entrypoint?: string[]; environment?: Record<string, string> }>;
};

/** Compose's interpolation of one value: $$, ${X}, ${X:-d}, ${X-d}, ${X:?e}, ${X?e}; throws where compose refuses. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (whole === '$$') return '$';
      const v = env[name!];
      const missing = op?.startsWith(':') ? !v : v === undefined;
      if (op?.endsWith('?') && missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
      if (op?.endsWith('-') && missing) return arg ?? '';
      return v ?? '';
    },
  );
}

/** Every string of the file interpolated, as compose does before it looks at profiles. */
function interpolateAll(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, env)]));
  return node;
}

/** What README's "Production with docker compose" exports, and nothing else. */
const readmeEnv = { POSTGRES_PASSWORD: 'a-password-from-openssl', JWT_SECRET: 'x'.repeat(64) };

describe('docker-compose.yml', () => {
  it('is valid YAML', () => {
    expect(doc.errors).toEqual([]);
  });

  it('interpolates, every service included, with only what README exports for `docker compose up`', () => {
    expect(() => interpolateAll(compose, readmeEnv)).not.toThrow();
    // And it does refuse a start without those.
    expect(() => interpolateAll(compose, {})).toThrow(/POSTGRES_PASSWORD|JWT_SECRET/);
  });

  it("gives Grafana's admin no default password", () => {
    const grafana = interpolateAll(compose.services.grafana, readmeEnv) as { environment: Record<string, string> };
    expect(compose.services.grafana.profiles).toEqual(['monitoring']);
    expect(grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toBe('');
  });

  it('stops retrying a Grafana that refuses to start (on-failure, bounded), where unless-stopped restarted it for ever', () => {
    expect(compose.services.grafana.restart).toMatch(/^on-failure:[1-9]$/);
  });
});

describe("Grafana's entrypoint", () => {
  let dir: string;
  let image: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'grafana-entry-'));
    // The image's own entrypoint (/run.sh) cannot run here: a script in its place says it was reached.
    image = join(dir, 'run.sh');
    writeFileSync(image, '#!/bin/sh\necho "grafana started"\n');
    chmodSync(image, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function start(password: string | undefined) {
    const grafana = interpolateAll(compose.services.grafana, { ...readmeEnv, GRAFANA_ADMIN_PASSWORD: password }) as {
      entrypoint: string[];
      environment: Record<string, string>;
    };
    const [shell, ...args] = grafana.entrypoint;
    expect(shell).toBe('/bin/sh');
    const script = args.map((a) => a.replaceAll('/run.sh', image));
    const r = spawnSync(shell, script, { env: { PATH: process.env.PATH, ...grafana.environment }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  }

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['admin', 'admin'],
    ['11 characters', 'abcdefghijk'],
  ])('refuses to start Grafana with the password %s, naming GRAFANA_ADMIN_PASSWORD', (_what, password) => {
    const r = start(password);
    expect(r.code).toBe(1);
    expect(r.out).toContain('GRAFANA_ADMIN_PASSWORD');
    expect(r.out).not.toContain('grafana started');
  });

  it("starts the image's entrypoint with a password of 12 characters or more", () => {
    const r = start('Zq3-secret-password');
    expect(r).toEqual({ code: 0, out: 'grafana started\n' });
  });
});

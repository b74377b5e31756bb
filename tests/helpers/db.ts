import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../db/client';
import { adminUrl, dbUrl } from './env';
import { CuttableProxy } from './net';

export interface TestDatabase extends Database {
  name: string;
  url: string;
  /** Closes the connections and drops the clone. */
  destroy(): Promise<void>;
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createTestDatabase(opts: { max?: number } = {}): Promise<TestDatabase> {
  const template = inject('templateDb');
  const name = `${template.replace('tpl_', 't_')}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    for (let tries = 0; ; tries++) {
      try {
        await admin.unsafe(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        // Two clones of one template at the same instant can collide; try again briefly.
        if (tries >= 10) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = dbUrl(name);
  const database = await createDatabase({ url, max: opts.max ?? 10 });
  return {
    ...database,
    name,
    url,
    async destroy() {
      await database.close().catch(() => {});
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}

/**
 * `direct`'s database reached through a CuttableProxy that is up, on a pool of its own
 * (`max` connections): the test cuts the proxy, or holds back its answers, to see what the
 * pool then does.
 */
export async function proxiedDatabase(direct: TestDatabase, max = 4): Promise<{ proxy: CuttableProxy; url: string; database: Database }> {
  const target = new URL(direct.url);
  const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.up();
  const viaProxy = new URL(direct.url);
  viaProxy.port = String(proxy.port);
  const url = viaProxy.toString();
  return { proxy, url, database: await createDatabase({ url, max }) };
}

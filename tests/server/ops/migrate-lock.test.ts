import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, migrationsFolder } from '../../../db/client';
import { adminUrl, dbUrl } from '../../helpers/env';

describe('migrateDatabase', () => {
  it('lets migrators that start together on a fresh database take turns, each ending with every migration applied once', async () => {
    const name = `t_migrate_${randomBytes(4).toString('hex')}`;
    const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    // Separate clients, as separate replicas would have; a pool of one each, as db:migrate uses.
    const migrators = await Promise.all([1, 2, 3].map(() => createDatabase({ url: dbUrl(name), max: 1 })));
    try {
      const results = await Promise.allSettled(migrators.map((m) => migrateDatabase(m)));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      const check = postgres(dbUrl(name), { max: 1, onnotice: () => {} });
      try {
        const [{ n }] = await check<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
        expect(n).toBe(journal.entries.length);
        // The lock is gone with its sessions.
        const held = await check`select 1 from pg_locks where locktype = 'advisory'`;
        expect(held).toHaveLength(0);
      } finally {
        await check.end({ timeout: 5 });
      }
    } finally {
      await Promise.all(migrators.map((m) => m.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  }, 60_000);
});

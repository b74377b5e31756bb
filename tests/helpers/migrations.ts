import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDatabase, type Database } from '../../db/client';
import type { TestDatabase } from './db';
import { adminUrl, dbUrl } from './env';

/**
 * Databases for migration tests: empty ones (no template), brought up to a chosen migration,
 * then on to the latest by the real migrator. Dropped by `dropAll()`.
 */
const MIGRATIONS = join(import.meta.dirname, '../../db/migrations');

interface Entry {
  idx: number;
  tag: string;
}

const journal = (dir = MIGRATIONS) => JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as { entries: Entry[] };

/** The journal index of the migration whose tag ends with `suffix` (e.g. 'lean_submissions'). */
export function migrationIdx(suffix: string): number {
  const e = journal().entries.find((x) => x.tag.endsWith(suffix));
  if (!e) throw new Error(`no migration named …${suffix}`);
  return e.idx;
}

export class ScratchDatabases {
  private made: { name: string; database: Database }[] = [];

  /** An empty database (or a copy of `template`), with no migration run. */
  async create(template?: string): Promise<TestDatabase> {
    const name = `t_mig_${randomBytes(4).toString('hex')}`;
    const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(template ? `create database ${name} template ${template}` : `create database ${name}`);
    } finally {
      await a.end({ timeout: 5 });
    }
    const url = dbUrl(name);
    const database = await createDatabase({ url, max: 4 });
    this.made.push({ name, database });
    return { ...database, name, url, destroy: () => database.close() };
  }

  /** Another handle on a database made here, closed with the rest. */
  track(name: string, database: Database): void {
    this.made.push({ name, database });
  }

  async dropAll(): Promise<void> {
    for (const m of this.made) await m.database.close().catch(() => {});
    const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    try {
      for (const m of this.made) await a.unsafe(`drop database if exists ${m.name} with (force)`);
    } finally {
      await a.end({ timeout: 5 });
    }
    this.made = [];
  }
}

/** Runs the migrations up to and including `lastIdx`, from a trimmed copy of db/migrations. */
export async function migrateUpTo(database: Database, lastIdx: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mig-'));
  try {
    cpSync(MIGRATIONS, dir, { recursive: true });
    const j = journal(dir);
    j.entries = j.entries.filter((e) => e.idx <= lastIdx);
    writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(j));
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

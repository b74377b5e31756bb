import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../../db/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// Database.hotRows (db/client.ts): the hot path's statements of constant text are prepared
// once per Postgres connection and answer as `rows` does; PGlite runs them as `rows`.

const probe = (tag: string, n: number) => sql`select ${tag}::text as tag, ${n}::int * 2 as twice, 'hot-statement-probe' as marker`;

describe('hotRows on Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    // One connection, so every run lands where the statement was prepared.
    db = await createTestDatabase({ max: 1 });
  });
  afterAll(() => db.destroy());

  it('answers as rows does, with each run its own parameters, from one statement prepared once', async () => {
    expect(await db.hotRows(probe('a', 1))).toEqual(await db.rows(probe('a', 1)));
    expect(await db.hotRows(probe('b', 21))).toEqual([{ tag: 'b', twice: 42, marker: 'hot-statement-probe' }]);
    expect(await db.hotRows(probe('c', -3))).toEqual([{ tag: 'c', twice: -6, marker: 'hot-statement-probe' }]);
    const prepared = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from pg_prepared_statements where statement like ${'%hot-statement-probe%'} and statement not like ${'%pg_prepared_statements%'}`,
    );
    expect(prepared[0].n).toBe(1);
  });

  it('reports a failing statement as rows does, and the connection goes on', async () => {
    const bad = sql`select 1 / ${0}::int as x`;
    await expect(db.hotRows(bad)).rejects.toMatchObject({ code: '22012' });
    await expect(db.hotRows(bad)).rejects.toMatchObject({ code: '22012' });
    expect(await db.hotRows(probe('d', 5))).toEqual([{ tag: 'd', twice: 10, marker: 'hot-statement-probe' }]);
  });
});

describe('hotRows on PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
  });
  afterAll(() => db.close());

  it('answers as rows does', async () => {
    expect(await db.hotRows(probe('a', 4))).toEqual([{ tag: 'a', twice: 8, marker: 'hot-statement-probe' }]);
    expect(await db.hotRows(probe('a', 4))).toEqual(await db.rows(probe('a', 4)));
  });
});

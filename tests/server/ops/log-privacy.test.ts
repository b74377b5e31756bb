import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../../db/schema/index';
import { createLogger } from '../../../server/src/lib/log';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeResident } from '../../helpers/factories';

// Logs leave the machine: a failed query must not put a resident's name, phone, CCCD or
// password hash in them (drizzle's error carries the query's values in its message, stack
// and params; Postgres's detail names a key's values).

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.destroy());

function memoryLogger() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('info', out), text: () => lines.join('') };
}

describe('the logger', () => {
  it('logs a failed query without the values it carried, with what an operator needs', async () => {
    const r = await makeResident(db.db);
    const err = await db.db
      .insert(users)
      .values({ phone: r.phone, fullName: 'Lý Thường Kiệt', nationalId: '038190066666', passwordHash: '$argon2id$v=19$secret-hash', role: 'resident' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    // The error as drizzle makes it does carry them (what the logger has to take out).
    expect(String((err as Error).message)).toContain('Lý Thường Kiệt');

    const { log, text } = memoryLogger();
    log.error({ err }, 'request failed');
    log.warn({ err: new Error('wrapped', { cause: err }) }, 'wrapped failure');
    log.warn({ phone: r.phone, user: { phone: r.phone, password: 'matkhau' } }, 'fields logged by hand');
    const logged = text();
    for (const personal of ['Lý Thường Kiệt', r.phone, '038190066666', 'secret-hash', 'matkhau']) expect(logged).not.toContain(personal);
    const [first] = logged
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { err: Record<string, unknown> });
    expect(first.err).toMatchObject({ type: 'DrizzleQueryError' });
    expect(String(first.err.message)).toMatch(/^Failed query: insert into "users"/);
    expect(JSON.stringify(first.err)).toContain('23505');
    expect(String(first.err.stack)).toContain('    at ');
  });
});

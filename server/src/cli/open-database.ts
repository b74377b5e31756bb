// The database of a command-line tool (migrate, seed, user-create): DATABASE_URL, waited for as
// the server waits for it (DB_CONNECT_TIMEOUT, one line naming host:port, exit 1), or the
// embedded PGlite. Pointed at something that accepts and never speaks PostgreSQL, the driver
// alone would wait for ever.
import type { Config } from '../config';
import { DatabaseUnreachable, reachDatabase } from '../runtime';
import { createDatabase } from '../../../db/client';

export async function openDatabase(config: Config) {
  const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: 1 });
  if (!config.DATABASE_URL) return database;
  try {
    await reachDatabase(database, {
      url: config.DATABASE_URL,
      timeoutMs: config.DB_CONNECT_TIMEOUT * 1000,
      onWaiting: (target) => console.error(`PostgreSQL at ${target} does not answer yet: waiting up to ${config.DB_CONNECT_TIMEOUT} s`),
    });
  } catch (err) {
    if (!(err instanceof DatabaseUnreachable)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  return database;
}

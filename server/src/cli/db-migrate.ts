import { loadConfigOrExit } from '../config';
import { DatabaseUnreachable, reachDatabase } from '../runtime';
import { createDatabase, migrateDatabase } from '../../../db/client';

const config = loadConfigOrExit();
const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: 1 });
if (config.DATABASE_URL) {
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
}
try {
  await migrateDatabase(database);
  console.log(`Migrations applied to ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite (${config.pgliteDir})`}.`);
} finally {
  await database.close();
}

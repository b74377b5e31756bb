import { loadConfig } from '../config';
import { createDatabase, migrateDatabase } from '../../../db/client';

const config = loadConfig();
const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: 1 });
try {
  await migrateDatabase(database);
  console.log(`Migrations applied to ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite (${config.pgliteDir})`}.`);
} finally {
  await database.close();
}

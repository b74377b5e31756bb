import { loadConfigOrExit } from '../config';
import { migrateDatabase } from '../../../db/client';
import { openDatabase } from './open-database';

const config = loadConfigOrExit();
const database = await openDatabase(config);
try {
  await migrateDatabase(database);
  console.log(`Migrations applied to ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite (${config.pgliteDir})`}.`);
} finally {
  await database.close();
}

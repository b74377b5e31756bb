// npm run db:seed: the demo contest into DATABASE_URL (or the embedded database), once.
import { loadConfigOrExit } from '../config';
import { migrateDatabase } from '../../../db/client';
import { openDatabase } from './open-database';
import { DEMO_SLUG, seedDemo } from '../../../db/seed';

const config = loadConfigOrExit();
const database = await openDatabase(config);
try {
  await migrateDatabase(database);
  const r = await seedDemo(database.db);
  console.log(r.created ? `Demo contest seeded (${DEMO_SLUG}).` : `Demo contest already present (${DEMO_SLUG}); nothing changed.`);
} finally {
  await database.close();
}

import { parseArgs } from 'node:util';
import { migrateDatabase } from '../../../db/client';
import { openDatabase } from './open-database';
import { users } from '../../../db/schema/index';
import { loadConfigOrExit } from '../config';
import { cleanText, nationalIdProblem, normalizePhone } from '../lib/identity';
import { hashPassword } from '../modules/auth/index';

const USAGE =
  'Usage: npm run user:create -- --role organizer|judge|admin|resident --phone 0912345678 --password ... --name "..." [--national-id 038...] [--birth-year 1980]';

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    phone: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    'national-id': { type: 'string' },
    'birth-year': { type: 'string' },
  },
  strict: true,
});

const role = values.role as 'resident' | 'organizer' | 'judge' | 'admin' | undefined;
if (!role || !['resident', 'organizer', 'judge', 'admin'].includes(role)) fail('--role must be organizer, judge, admin or resident');
const phone = normalizePhone(values.phone ?? '');
if (!phone) fail('--phone must be a Vietnamese mobile number');
if (!values.password || values.password.length < 8) fail('--password must be at least 8 characters');
const name = cleanText(values.name ?? '');
if (name.length < 2) fail('--name is required');
const birthYear = values['birth-year'] ? Number(values['birth-year']) : undefined;
if (birthYear !== undefined && !Number.isInteger(birthYear)) fail('--birth-year must be a year');
const nationalId = values['national-id'];
if (nationalId) {
  const problem = nationalIdProblem(nationalId, birthYear);
  if (problem) fail(`--national-id ${problem}`);
}
if (role === 'resident' && !nationalId) fail('a resident needs --national-id');

const config = loadConfigOrExit();
const database = await openDatabase(config);
try {
  await migrateDatabase(database);
  const [row] = await database.db
    .insert(users)
    .values({ role, phone, fullName: name, passwordHash: await hashPassword(values.password), nationalId: nationalId ?? null, birthYear: birthYear ?? null })
    .onConflictDoNothing()
    .returning({ id: users.id });
  if (!row) {
    console.error(`A user with phone ${phone}${nationalId ? ' or national id ' + nationalId : ''} already exists.`);
    process.exitCode = 1;
  } else {
    console.log(`Created ${role} ${name} (${phone}), id ${row.id}.`);
  }
} finally {
  await database.close();
}

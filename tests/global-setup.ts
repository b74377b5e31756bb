import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { createDatabase, migrateDatabase } from '../db/client';
import { adminUrl, dbUrl, redisUrl } from './helpers/env';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

const START_PG = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

async function checkRedis() {
  const r = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${redisUrl()} (${(err as Error).message}). Start it, e.g.: ${START_REDIS}`, { cause: err });
  } finally {
    r.disconnect();
  }
}

/** Migrates one template database; every test file clones it (CREATE DATABASE ... TEMPLATE). */
export default async function setup(project: TestProject) {
  // Tests that start the server as an operator does run the compiled one (dist/server.js).
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const admin = postgres(adminUrl(), { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (err) {
    await admin.end({ timeout: 1 }).catch(() => {});
    throw new Error(`PostgreSQL is not reachable at ${adminUrl()} (${(err as Error).message}). Start it, e.g.: ${START_PG}`, { cause: err });
  }
  await checkRedis();

  const template = `tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin.unsafe(`create database ${template}`);
  const database = await createDatabase({ url: dbUrl(template), max: 1 });
  try {
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
  project.provide('templateDb', template);

  return async () => {
    const clones = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${template.replace('tpl_', 't_') + '_%'}`;
    for (const { datname } of clones) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end({ timeout: 5 });
  };
}

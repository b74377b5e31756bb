import type { Database } from '../../../../db/client';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the database and Redis answer a ping in time ('in-process' without Redis). */
export async function dependencies(database: Database, redis: { ping(): Promise<unknown> } | null) {
  const [db, r] = await Promise.all([
    within(2000, database.ping()).then(
      () => 'ok',
      () => 'down',
    ),
    redis
      ? within(1000, redis.ping()).then(
          () => 'ok',
          () => 'down',
        )
      : Promise.resolve('in-process'),
  ]);
  return { database: db, redis: r };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressStore, type ImportProgress } from '../../../server/src/modules/questions/questions.progress';
import { makeTestApp, type TestContext } from '../../helpers/app';

let t: TestContext;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const progress = (over: Partial<ImportProgress> = {}): ImportProgress => ({
  jobId: 'job-12345678',
  ownerId: 'u1',
  phase: 'writing',
  dryRun: false,
  processed: 1000,
  total: 5000,
  created: 0,
  errorCount: 0,
  startedAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  ...over,
});

describe('ProgressStore', () => {
  it('shares progress between processes through Redis', async () => {
    const writer = new ProgressStore(t.redis);
    const reader = new ProgressStore(t.redis);
    await writer.set(progress());
    expect(await reader.get('u1', 'job-12345678')).toMatchObject({ phase: 'writing', processed: 1000, total: 5000 });
    expect(await reader.get('u2', 'job-12345678')).toBeNull();
  });

  it('keeps progress in memory without Redis, per owner', async () => {
    const store = new ProgressStore(null);
    await store.set(progress({ ownerId: 'a' }));
    await store.set(progress({ ownerId: 'b', processed: 7 }));
    expect((await store.get('a', 'job-12345678'))?.processed).toBe(1000);
    expect((await store.get('b', 'job-12345678'))?.processed).toBe(7);
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { submissions } from '../../../db/schema/index';
import { useTestApp } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { firstOptions, start, submit } from '../../helpers/requests';

const t = useTestApp();

async function submitWith(headers: Record<string, string>, remoteAddress: string) {
  const contest = await makeContest(t.app.db);
  const { round } = await makeRound(t.app.db, contest.id, { questionCount: 3 }, 3);
  const resident = await makeResident(t.app.db);
  const token = tokenFor(t.app, resident);
  const a = (await start(t.app, round.id, token, { headers, remoteAddress })).json();
  const res = await submit(t.app, a.attemptId, token, firstOptions(a, 5, 1), { headers, remoteAddress });
  expect(res.statusCode).toBe(200);
  const [row] = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, a.attemptId));
  return row;
}

describe('POST /attempts/:attemptId/submit records where it came from', () => {
  it('stores the client address and the x-device-id of the web app', async () => {
    const row = await submitWith({ 'x-device-id': 'k2j4h5g6f7d8s9a0' }, '203.0.113.50');
    expect(row).toMatchObject({ clientIp: '203.0.113.50', deviceId: 'k2j4h5g6f7d8s9a0' });
  });

  it('drops a device id that does not look like one', async () => {
    const row = await submitWith({ 'x-device-id': "x'; drop table users; --" }, '203.0.113.51');
    expect(row).toMatchObject({ clientIp: '203.0.113.51', deviceId: null });
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { submissions } from '../../db/schema/index';
import { makeContest, makeResident, makeRound, tokenFor } from '../helpers/factories';
import { watchErrors } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, signedIn, useBrowser } from './support/session';
import { makeTimedAttempt, storedAnswers } from '../helpers/results-factories';

// When the countdown reaches zero the app hands in what was answered, without a click.
const server = useWebServer();
const browser = useBrowser();

describe('time limit', { timeout: 90_000 }, () => {
  it('counts down from the server deadline and submits by itself at zero', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { timeLimitSeconds: 10, questionCount: 3 });
    const user = await makeResident(db);
    const context = await browser.context('phone');
    const token = tokenFor(server.ctx.app, user);
    await signedIn(context, token, user);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/c/${contest.slug}/play/${round.id}`);
    await page.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
    await page.getByText('Câu 1/3').first().waitFor();
    const shown = (await page.getByRole('timer').textContent())!.trim();
    expect(shown).toMatch(/^0:(0\d|10)$/);
    await page.locator('.option').first().click();

    await page.getByText('Bài thi đã được ghi nhận.').waitFor({ timeout: 30_000 });
    const [sub] = await db.select().from(submissions).where(eq(submissions.userId, user.id));
    expect(await storedAnswers(db, sub.attemptId)).toHaveLength(1);
    expect(sub.prediction).toBe(0);
    expectNoPageErrors(errors);
    await context.close();
  });

  it('lists an attempt just past its deadline as over, with its round page, during the grace', async () => {
    // The server says in_progress until 30 s after the deadline (a submit may still be in flight).
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round, pool } = await makeRound(db, contest.id, { questionCount: 3 });
    const user = await makeResident(db);
    const now = Date.now();
    await makeTimedAttempt(db, round.id, user.id, pool, { startedAt: new Date(now - 600_000), deadline: new Date(now - 5_000) });
    const context = await browser.context('phone');
    const token = tokenFor(server.ctx.app, user);
    await signedIn(context, token, user);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const listed = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/attempts'));
    await page.goto(`${server.url}/me`);
    expect(await (await listed).json()).toMatchObject([{ status: 'in_progress' }]);
    await page.getByText('Hết giờ, chưa nộp').waitFor();
    expect(await page.getByText('Đang làm').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Tiếp tục làm bài' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Đáp án và kết quả của tuần' }).click();
    await page.waitForURL(`**/rounds/${round.id}`);
    expectNoPageErrors(errors);
    await context.close();
  });
});

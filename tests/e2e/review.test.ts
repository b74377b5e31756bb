import { describe, expect, it } from 'vitest';
import { makeContest, makeResident, makeRound, tokenFor } from '../helpers/factories';
import { start, submit, type Served } from '../helpers/requests';
import { ageRound } from '../helpers/results-factories';
import { seriousA11yViolations, watchErrors } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, signedIn, useBrowser } from './support/session';

// A resident on a phone reviews an attempt from "My attempts": not before the answer key is
// public, then each question with their choice and the correct option.
const server = useWebServer();
const browser = useBrowser();

describe('reviewing my answers', { timeout: 90_000 }, () => {
  it('waits for the answer key, then shows my choice and the correct option of each question', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(
      db,
      contest.id,
      { number: 3, title: 'Tuần thi thử', questionCount: 4, timeLimitSeconds: 600, closesAt: new Date(Date.now() + 60_000) },
      4,
    );
    const user = await makeResident(db);
    const token = tokenFor(server.ctx.app, user);
    const served = (await start(server.ctx.app, round.id, token)).json() as Served;
    // The third option, the first, none, the second.
    expect((await submit(server.ctx.app, served.attemptId, token, { choices: [2, 0, null, 1], prediction: 1234 })).statusCode).toBe(200);

    const context = await browser.context('phone');
    await signedIn(context, token, user);
    const page = await context.newPage();
    const errors = watchErrors(page);

    // The round is still open: the review says when it opens.
    await page.goto(`${server.url}/me/${served.attemptId}`);
    await page.getByText('Bạn có thể xem lại bài làm khi đáp án được công bố, lúc', { exact: false }).waitFor();
    expect(await page.getByText('bạn chọn').count()).toBe(0);

    await ageRound(db, round.id, 91_000);
    await page.goto(`${server.url}/me`);
    // The round by the name its organizers gave it.
    await page.getByRole('heading', { name: 'Tuần thi thử · lượt 1' }).waitFor();
    await page.getByRole('link', { name: 'Xem lại bài làm' }).click();
    await page.waitForURL(`**/me/${served.attemptId}`);
    await page.getByRole('heading', { name: 'Xem lại bài làm · Tuần thi thử · lượt 1' }).waitFor();
    const items = page.locator('ol.review > li');
    expect(await items.count()).toBe(4);
    // Each question as served, the chosen option marked where one was chosen.
    for (const [i, pick] of [2, 0, null, 1].entries()) {
      const item = items.nth(i);
      expect(await item.locator('.q').textContent()).toBeTruthy();
      const options = item.locator('ul > li');
      expect(await options.count()).toBe(served.questions[i].options.length);
      const marked = await options.evaluateAll((lis) => lis.map((li) => (li.querySelector('.badge') ? 1 : 0)));
      expect(marked).toEqual(served.questions[i].options.map((_, k) => (k === pick ? 1 : 0)));
      expect(await item.locator('ul > li.correct').count()).toBe(1);
    }
    await items.nth(2).getByText('Bạn không trả lời câu này.').waitFor();
    await items.nth(2).getByText('– Không trả lời', { exact: true }).waitFor();
    // The summary agrees with the questions marked right.
    const right = await page.locator('ol.review h2 .ok').count();
    await page.getByText(`${right}/4 câu đúng`).waitFor();
    await page.getByText('Câu hỏi dự đoán: 1.234').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Đáp án và kết quả của tuần' }).click();
    await page.waitForURL(`**/rounds/${round.id}`);
    expectNoPageErrors(errors);
    await context.close();
  });
});

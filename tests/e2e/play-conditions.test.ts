import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { attempts, submissions } from '../../db/schema/index';
import { makeContest, makeMemberStaff, makeResident, makeRound, tokenFor } from '../helpers/factories';
import { call } from '../helpers/requests';
import { makeTimedAttempt } from '../helpers/results-factories';
import { watchErrors } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, signedIn, useBrowser } from './support/session';

// A resident's phone in the conditions it meets: the server refusing a late hand-in, an
// organizer moving the deadline, the same attempt open in two tabs, a fast phone clock, and a
// prediction typed in ways the field cannot read.
const server = useWebServer();
const browser = useBrowser();

async function resident() {
  const db = server.ctx.database.db;
  const user = await makeResident(db);
  const context = await browser.context('phone');
  await signedIn(context, tokenFor(server.ctx.app, user), user);
  return { user, context };
}

async function startRound(page: Page, contestSlug: string, roundId: string) {
  await page.goto(`${server.url}/c/${contestSlug}/play/${roundId}`);
  await page.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
  await page.getByText('Câu 1/3').first().waitFor();
}

describe('taking a round in real conditions', { timeout: 90_000 }, () => {
  it('hands in once when time is up; a refusal ends the attempt instead of sending it again and again', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { timeLimitSeconds: 10, questionCount: 3 });
    const { context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await startRound(page, contest.slug, round.id);
    // The keyboard lands on the first question once the start button is gone.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Câu 1/3');
    await page.locator('.option').first().click();
    // As the server answers when the deadline and its grace are past (a phone asleep, offline).
    let sent = 0;
    await page.route('**/api/v1/attempts/*/submit', (route) => {
      sent++;
      return route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 409, code: 'DEADLINE_PASSED', error: 'Conflict', message: 'The deadline has passed' }),
      });
    });
    await page.getByRole('heading', { name: 'Bài thi không được ghi nhận' }).waitFor({ timeout: 15_000 });
    await page.getByText('Đã hết thời gian làm bài').first().waitFor();
    await page.waitForTimeout(1500);
    expect(sent).toBe(1);
    expect(await page.locator('.option').count()).toBe(0);
    expectNoPageErrors(errors);
  });

  it("follows the organizer's extra time: on a reload and when the phone wakes", async () => {
    const db = server.ctx.database.db;
    const organizer = await makeMemberStaff(db, 'organizer');
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { timeLimitSeconds: 120, questionCount: 3 });
    const { user, context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await startRound(page, contest.slug, round.id);
    const clock = async () => (await page.getByRole('timer').textContent())!.trim();
    expect(await clock()).toMatch(/^(1:5\d|2:00)$/);

    const grant = async (minutes: number) => {
      const res = await call(server.ctx.app, 'POST', `/admin/rounds/${round.id}/overrides`, tokenFor(server.ctx.app, organizer), {
        phone: user.phone,
        extraAttempts: 0,
        extraSeconds: minutes * 60,
        reason: 'Mất điện khi đang làm bài',
      });
      expect(res.statusCode).toBe(200);
    };
    await grant(10);
    // The phone wakes (the page becomes visible again): it asks the server.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(clock, { timeout: 10_000 }).toMatch(/^1[12]:\d\d$/);

    await grant(20);
    await page.reload();
    await page.getByText('Câu 1/3').first().waitFor();
    await expect.poll(clock, { timeout: 10_000 }).toMatch(/^2[12]:\d\d$/);
    expectNoPageErrors(errors);
  });

  it('says a time limit that is not whole minutes as it is: 150 s is 2 phút 30 giây, not 3 phút', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { timeLimitSeconds: 150, questionCount: 3 });
    const { context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/c/${contest.slug}`);
    await page.getByText('3 câu hỏi · 2 phút 30 giây · tối đa 1 lượt thi').waitFor();
    await page.goto(`${server.url}/c/${contest.slug}/play/${round.id}`);
    await page.getByText('Thời gian làm bài: 2 phút 30 giây, tính từ lúc bấm Bắt đầu.').waitFor();
    expectNoPageErrors(errors);
  });

  it('offers the start only while the round is open: not before it opens, not after it closes, not for a round that does not exist', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const opensAt = new Date(Date.now() + 6_000);
    const { round: soon } = await makeRound(db, contest.id, { opensAt, questionCount: 3 });
    const { round: over } = await makeRound(db, contest.id, {
      opensAt: new Date(Date.now() - 7_200_000),
      closesAt: new Date(Date.now() - 60_000),
      questionCount: 3,
    });
    const { context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    const start = page.getByRole('button', { name: 'Bắt đầu làm bài' });

    await page.goto(`${server.url}/c/${contest.slug}/play/${soon.id}`);
    await page.getByText(/^Tuần thi chưa mở: mở lúc .+\. Nút Bắt đầu sẽ hiện khi đến giờ\.$/).waitFor();
    expect(await start.count()).toBe(0);
    // It opens while the page is there: the button comes, and starts the attempt.
    await start.waitFor({ timeout: 15_000 });
    await start.click();
    await page.getByText('Câu 1/3').first().waitFor();

    await page.goto(`${server.url}/c/${contest.slug}/play/${over.id}`);
    await page.getByText('Tuần thi này đã đóng, không thể làm bài nữa.').waitFor();
    expect(await start.count()).toBe(0);

    await page.goto(`${server.url}/c/${contest.slug}/play/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('alert').filter({ hasText: 'Không tìm thấy tuần thi này' }).waitFor();
    expect(await start.count()).toBe(0);
    expectNoPageErrors(errors);
  });

  it("counts an organizer's extra attempt: the round opens again for the resident, and focus follows the hand-in to the result", async () => {
    const db = server.ctx.database.db;
    const organizer = await makeMemberStaff(db, 'organizer');
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { questionCount: 3, maxAttempts: 1 });
    const { user, context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await startRound(page, contest.slug, round.id);
    await page.getByRole('button', { name: 'Câu hỏi dự đoán' }).click();
    await page.getByLabel(/người/).fill('12');
    await page.getByRole('button', { name: 'Xem lại bài →' }).click();
    await page.getByRole('button', { name: 'Nộp bài', exact: true }).click();
    await page.getByText('Bài thi đã được ghi nhận.').waitFor();
    // The pressed button is gone: the keyboard and the screen reader land on the result's heading, not on <body>.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('result-h');
    expect(await page.getByRole('button', { name: 'Thi lượt tiếp theo' }).count()).toBe(0);
    await page.goto(`${server.url}/c/${contest.slug}`);
    await page.getByText('Bạn đã dùng hết lượt thi của tuần này.').waitFor();

    // After an incident the organizer grants one more attempt.
    const res = await call(server.ctx.app, 'POST', `/admin/rounds/${round.id}/overrides`, tokenFor(server.ctx.app, organizer), {
      phone: user.phone,
      extraAttempts: 1,
      extraSeconds: 0,
      reason: 'Rớt mạng khi đang làm bài',
    });
    expect(res.statusCode).toBe(200);
    await page.reload();
    await page.getByText('Bạn đã thi 1/2 lượt').waitFor();
    await page.getByText('tối đa 2 lượt thi').waitFor();
    expect(await page.getByText('Bạn đã dùng hết lượt thi của tuần này.').count()).toBe(0);
    await page.getByRole('link', { name: 'Vào thi' }).click();
    // The last result first, then another attempt from it.
    await page.getByRole('button', { name: 'Thi lượt tiếp theo' }).click();
    await page.getByText('Số lượt thi tối đa: 2.').waitFor();
    await page.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
    await page.getByText('Câu 1/3').first().waitFor();
    await expect.poll(async () => (await db.select().from(attempts).where(eq(attempts.userId, user.id))).length).toBe(2);
    expectNoPageErrors(errors);
  });

  it('keeps one set of answers across two tabs of the same attempt, and says a second submit was already in', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { questionCount: 3 });
    const { user, context } = await resident();
    const first = await context.newPage();
    const errors = watchErrors(first);
    await startRound(first, contest.slug, round.id);
    const second = await context.newPage();
    await second.goto(`${server.url}/c/${contest.slug}/play/${round.id}`);
    await second.getByText('Câu 1/3').first().waitFor();

    // Answered in the first tab, shown in the second; answered in the second, kept by both.
    await first.locator('.option').first().click();
    await second.getByRole('button', { name: 'Câu 1, đã trả lời' }).waitFor();
    await second.getByRole('button', { name: 'Câu 2, chưa trả lời' }).click();
    await second.locator('.option').nth(1).click();
    await first.getByRole('button', { name: 'Câu 2, đã trả lời' }).waitFor();
    await first.reload();
    await first.getByText('Đã trả lời 2/3').waitFor();

    // The first tab hands in; the second follows with the same result.
    await first.getByRole('button', { name: 'Câu hỏi dự đoán' }).click();
    await first.getByLabel(/người/).fill('4.200');
    await first.getByRole('button', { name: 'Xem lại bài →' }).click();
    await first.getByRole('button', { name: 'Nộp bài', exact: true }).click();
    await first.getByText('Bài thi đã được ghi nhận.').waitFor();
    // The second tab carries the submit on too: whichever request came second reads as a repeat.
    await first.getByText(/Dự đoán của bạn: 4\.200|đã được nộp trước đó/).waitFor();
    await second.getByText('Bài thi đã được ghi nhận.').waitFor();

    const [sub] = await db.select().from(submissions).where(eq(submissions.userId, user.id));
    expect(sub.prediction).toBe(4200);
    const [a] = await db.select().from(attempts).where(eq(attempts.userId, user.id));
    expect(a.id).toBe(sub.attemptId);
    expectNoPageErrors(errors);
  });

  it('says so when it resumes an attempt started on another phone, whose answers are not here', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round, pool } = await makeRound(db, contest.id, { questionCount: 3 });
    const { user, context } = await resident();
    const now = Date.now();
    await makeTimedAttempt(db, round.id, user.id, pool.slice(0, 3), { startedAt: new Date(now - 120_000), deadline: new Date(now + 600_000) });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/c/${contest.slug}/play/${round.id}`);
    await page.getByText('Câu 1/3').first().waitFor();
    await page.getByText('Bạn đang làm tiếp bài thi đã bắt đầu trên điện thoại hoặc trình duyệt khác').waitFor();
    // A fresh start on this phone says nothing of the kind.
    const other = await resident();
    const fresh = await other.context.newPage();
    await startRound(fresh, contest.slug, round.id);
    expect(await fresh.getByText('trên điện thoại hoặc trình duyệt khác').count()).toBe(0);
    expectNoPageErrors(errors);
  });

  it('does not hand an attempt in on a reload because the phone clock is fast', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { timeLimitSeconds: 120, questionCount: 3 });
    const { user, context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await startRound(page, contest.slug, round.id);
    await page.locator('.option').first().click();
    // Five minutes fast: past this attempt's deadline by the phone's own clock.
    await page.addInitScript(() => {
      const RealDate = Date;
      const ahead = 5 * 60_000;
      class FastDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + ahead);
          else super(...(args as [string]));
        }
        static now() {
          return RealDate.now() + ahead;
        }
      }
      globalThis.Date = FastDate as DateConstructor;
    });
    await page.reload();
    expect(await page.evaluate(() => Date.now() - performance.timeOrigin - performance.now())).toBeGreaterThan(4 * 60_000);
    await page.getByText('Câu 1/3').first().waitFor();
    await page.waitForTimeout(2000);
    expect(await db.select().from(submissions).where(eq(submissions.userId, user.id))).toEqual([]);
    // The countdown is the server's: still under two minutes left, not zero.
    expect((await page.getByRole('timer').textContent())!.trim()).toMatch(/^1:\d\d$/);
    expectNoPageErrors(errors);
  });

  it('says what is wrong with a prediction it cannot read, instead of changing the number', async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db);
    const { round } = await makeRound(db, contest.id, { questionCount: 3 });
    const { context } = await resident();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await startRound(page, contest.slug, round.id);
    await page.getByRole('button', { name: 'Câu hỏi dự đoán' }).click();
    const field = page.getByLabel(/người/);
    await field.fill('1e3');
    await page.getByText('Chỉ nhập một số nguyên').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('100000001');
    await page.getByText('Số dự đoán tối đa là 100.000.000.').waitFor();
    await page.getByRole('button', { name: 'Xem lại bài →' }).click();
    expect(await page.getByRole('button', { name: 'Nộp bài', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Câu hỏi dự đoán' }).click();
    await page.getByLabel(/người/).fill('3 000');
    await page.getByRole('button', { name: 'Xem lại bài →' }).click();
    await page.getByText('3.000').first().waitFor();
    expect(await page.getByRole('button', { name: 'Nộp bài', exact: true }).isDisabled()).toBe(false);
    expectNoPageErrors(errors);
  });
});

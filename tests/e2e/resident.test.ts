import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { localities, submissions, units, users } from '../../db/schema/index';
import { makeNationalId } from '../../server/src/lib/identity';
import { makeContest, makeResident, makeRound } from '../helpers/factories';
import { seriousA11yViolations } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, useBrowser } from './support/session';

// A resident on a phone: registers (after the form has refused bad input), takes the open round
// through a reload and a dropped connection, and sees the result.
// Registration's proof of work stays on, made cheap, so the browser really solves one.
const server = useWebServer({ registrationPow: { minCounter: 200, maxCounter: 1000, cost: 1, ttlMs: 600_000 } });
const browser = useBrowser();
let page: Page;
const correctText = new Map<string, string>();
let contestSlug = '';
let roundId = '';
const takenPhone = '0987000111';
const phone = '0912000222';

beforeAll(async () => {
  const db = server.ctx.database.db;
  const contest = await makeContest(db, { title: 'Tìm hiểu chuyển đổi số', rules: 'Mỗi tuần 5 câu hỏi.' });
  contestSlug = contest.slug;
  await db.insert(localities).values([
    { contestId: contest.id, name: 'Phường Hạc Thành' },
    { contestId: contest.id, name: 'Xã Quảng Phú' },
  ]);
  await db.insert(units).values([{ contestId: contest.id, name: 'Sở Khoa học và Công nghệ' }]);
  const { round, pool } = await makeRound(db, contest.id, { number: 1, title: 'Tuần 1', questionCount: 5, timeLimitSeconds: 600, maxAttempts: 1 });
  roundId = round.id;
  for (const q of pool) correctText.set(q.text, q.options.find((o) => o.correct)!.text);
  await makeResident(db, { phone: takenPhone });
  page = await browser.open('phone');
}, 300_000);

async function answerCurrentCorrectly() {
  const text = (await page.locator('.qtext').textContent())!.trim();
  const correct = correctText.get(text);
  expect(correct, `unknown question on screen: ${text}`).toBeDefined();
  await page.locator('.option', { hasText: correct! }).click();
}

describe('resident journey (phone, 360 px)', { timeout: 120_000 }, () => {
  it('shows the contest, its rules and the open round on the home page, with no serious accessibility problems', async () => {
    await page.goto(server.url + '/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Tìm hiểu chuyển đổi số');
    await expect.poll(() => page.locator('.badge.open').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Vào thi' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The page fits a 360 px phone: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('refuses bad registration input with a Vietnamese message per field', async () => {
    await page.getByRole('link', { name: 'Đăng ký' }).click();
    await page.getByLabel('Họ và tên').fill('Trần Thị Lan');
    await page.getByLabel('Số điện thoại').fill('12345');
    await page.getByLabel('Số CCCD').fill('03819');
    await page.getByLabel('Năm sinh').fill('1992');
    await page.getByLabel('Mật khẩu', { exact: true }).fill('abc');
    await page.getByLabel('Nhập lại mật khẩu').fill('abc');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByText('Số điện thoại không hợp lệ').waitFor();
    await page.getByText('Số CCCD phải gồm đúng 12 chữ số.').waitFor();
    await page.getByText('Mật khẩu quá yếu').first().waitFor();
    expect(await page.getByLabel('Số điện thoại').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('says when the phone number is already taken (409 from the server)', async () => {
    await page.getByLabel('Số điện thoại').fill(takenPhone);
    await page.getByLabel('Số CCCD').fill(makeNationalId(1992, 4242));
    await page.getByLabel('Mật khẩu', { exact: true }).fill('mat-khau-manh-1');
    await page.getByLabel('Nhập lại mật khẩu').fill('mat-khau-manh-1');
    await page.getByLabel(/Địa phương/).selectOption({ label: 'Xã Quảng Phú' });
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByText('Số điện thoại này đã được đăng ký').waitFor({ timeout: 30_000 });
    expect(
      await server.ctx.database.db
        .select()
        .from(users)
        .where(eq(users.nationalId, makeNationalId(1992, 4242))),
    ).toHaveLength(0);
  });

  it('registers with a fresh number and lands signed in', async () => {
    await page.getByLabel('Số điện thoại').fill(phone);
    await page.getByLabel('Đơn vị', { exact: false }).selectOption({ label: 'Sở Khoa học và Công nghệ' });
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByRole('button', { name: 'Đăng xuất' }).waitFor({ timeout: 30_000 });
    const [u] = await server.ctx.database.db.select().from(users).where(eq(users.phone, phone));
    expect(u).toMatchObject({ fullName: 'Trần Thị Lan', birthYear: 1992, role: 'resident' });
    expect(u.localityId).not.toBeNull();
    expect(u.unitId).not.toBeNull();
  });

  it('takes the round: one question per screen, answers survive a reload, submit survives a dropped connection', async () => {
    await page.goto(server.url + '/');
    await page.getByRole('link', { name: 'Vào thi' }).click();
    await page.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
    await page.getByText('Câu 1/5').first().waitFor();
    expect(await page.locator('.option').count()).toBe(4);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // With a mouse, hovering outlines an option. On a touch screen the last tap leaves :hover
    // where the finger was, so there an option under it must not look chosen (outlined).
    const borderOf = (i: number) =>
      page
        .locator('.option')
        .nth(i)
        .evaluate((el) => getComputedStyle(el).borderTopColor);
    await page.locator('.option').nth(2).hover();
    expect(await borderOf(2)).not.toBe(await borderOf(3));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
    expect(await page.evaluate(() => matchMedia('(hover: hover)').matches)).toBe(false);
    await expect.poll(() => borderOf(2)).toBe(await borderOf(3));
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    await cdp.detach();

    await answerCurrentCorrectly();
    await page.getByRole('button', { name: 'Câu sau →' }).click();
    await page.getByText('Câu 2/5').first().waitFor();
    const secondText = await page.locator('.qtext').textContent();
    await answerCurrentCorrectly();

    // The app shell and its code are kept by the service worker for reloads without a network.
    await expect.poll(() => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.active)).toBe(true);
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const paths: string[] = [];
          for (const key of await caches.keys()) for (const r of await (await caches.open(key)).keys()) paths.push(new URL(r.url).pathname);
          return paths.includes('/') && paths.some((p) => p.startsWith('/_app/immutable/entry/start.'));
        }),
      )
      .toBe(true);

    // A reload without a connection resumes the same attempt from what the browser kept.
    await page.context().setOffline(true);
    try {
      await page.reload();
      await page.getByText('Câu 2/5').first().waitFor();
      expect(await page.locator('.qtext').textContent()).toBe(secondText);
      expect(await page.locator('.option input:checked').count()).toBe(1);
      expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    } finally {
      await page.context().setOffline(false);
    }

    // Back online, a reload resumes the same attempt on the same screen with the answers kept.
    await page.reload();
    await page.getByText('Câu 2/5').first().waitFor();
    expect(await page.locator('.qtext').textContent()).toBe(secondText);
    expect(await page.locator('.option input:checked').count()).toBe(1);
    expect(await page.getByText('Đã trả lời 2/5').count()).toBe(1);

    // The navigator jumps anywhere; answer the rest.
    for (let n = 3; n <= 5; n++) {
      await page.getByRole('button', { name: `Câu ${n}, chưa trả lời` }).click();
      await page.getByText(`Câu ${n}/5`).first().waitFor();
      await answerCurrentCorrectly();
    }
    await page.getByRole('button', { name: /Câu hỏi dự đoán/ }).click();
    await page.getByLabel('Dự đoán: bao nhiêu người', { exact: false }).or(page.locator('#prediction')).first().fill('4200');
    await page.getByRole('button', { name: 'Xem lại bài →' }).click();
    await page.getByText('Bạn đã trả lời 5/5 câu.').waitFor();
    // Written as numbers are in Vietnamese, as its hint writes 100.000.000.
    await page.getByText('Dự đoán của bạn: 4.200').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The network drops as the resident presses submit: the app keeps retrying by itself.
    await page.context().setOffline(true);
    try {
      const submit = page.getByRole('button', { name: 'Nộp bài', exact: true });
      await submit.click();
      await page.getByText('đang tự động gửi lại', { exact: false }).waitFor({ timeout: 20_000 });
      // Nothing left to press a second time while the submission is under way.
      expect(await page.getByRole('button', { name: 'Nộp bài', exact: true }).count()).toBe(0);
    } finally {
      await page.context().setOffline(false);
    }
    await page.getByText('Bài thi đã được ghi nhận.').waitFor({ timeout: 30_000 });
    await page.getByText('5/5').waitFor();

    const subs = await server.ctx.database.db.select().from(submissions).where(eq(submissions.roundId, roundId));
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ score: 5, total: 5, prediction: 4200 });
  });

  it('shows the result again after a reload and lists it under my attempts', async () => {
    await page.reload();
    await page.getByText('Bài thi đã được ghi nhận.').waitFor();
    await page.getByRole('link', { name: 'Bài thi của tôi' }).first().click();
    await page.getByText('Đã nộp').waitFor();
    await page.getByText('5/5').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The round's card on the home page knows the single attempt is used.
    await page.getByRole('link', { name: 'Trang chủ' }).first().click();
    await page.getByText('Bạn đã thi 1/1 lượt · điểm cao nhất 5/5').waitFor();
    await page.getByText('Bạn đã dùng hết lượt thi của tuần này.').waitFor();
    expect(await page.getByRole('link', { name: 'Vào thi' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Bài thi của tôi' }).first().click();
    await page.getByText('Đã nộp').waitFor();
    expect(contestSlug).not.toBe('');
    // From the attempt to its round's page, which says when the answer key opens (the round is open).
    await page.getByRole('link', { name: 'Đáp án và kết quả của tuần' }).click();
    await page.waitForURL(`**/rounds/${roundId}`);
    await page.getByText('Kết quả chưa được công bố.').waitFor();
    await page.getByText('Đáp án sẽ được công bố lúc', { exact: false }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Bài thi của tôi' }).waitFor();
  });

  it('switches to English and remembers the choice', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'My attempts' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await page.getByRole('link', { name: 'Home' }).waitFor();
    await page.getByText('Submitted', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('heading', { name: 'Bài thi của tôi' }).waitFor();
    expectNoPageErrors(browser.errors[0]);
  });
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { contests, rounds, users, type User } from '../../db/schema/index';
import { bearer, makeContest, makeMemberStaff, makeResident, makeRound, PASSWORD, prizeTiers, tokenFor } from '../helpers/factories';
import { start, submit } from '../helpers/requests';
import { makeClosedRound, makeExclusion, makeSubmission } from '../helpers/results-factories';
import { seriousA11yViolations } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, loginThroughUi, pressNeedingReason, signedIn, useBrowser } from './support/session';

// A judge at a desk: finalizes a closed round, reads the ranking with every tie-break column,
// disqualifies someone with a reason, finalizes again, downloads the XLSX and publishes.
const server = useWebServer();
const browser = useBrowser();
let page: Page;
let contestSlug = '';
let roundId = '';
const judgePhone = '0903444555';
const people: Record<'an' | 'binh' | 'chi', User> = {} as never;

beforeAll(async () => {
  const { app, database } = server.ctx;
  const db = database.db;
  // Members of the contests made from here on, as the demo seed makes its staff members of the demo contest.
  await makeMemberStaff(db, 'judge', { phone: judgePhone });
  const organizer = await makeMemberStaff(db, 'organizer');
  const contest = await makeContest(db, { title: 'Cuộc thi để chấm' });
  contestSlug = contest.slug;
  const { round, pool } = await makeRound(db, contest.id, {
    number: 1,
    title: 'Tuần 1',
    questionCount: 3,
    prizes: prizeTiers(['Giải Nhất', 1], ['Giải Nhì', 1]),
  });
  roundId = round.id;
  people.an = await makeResident(db, { fullName: 'Nguyễn Văn An' });
  people.binh = await makeResident(db, { fullName: 'Lê Thị Bình' });
  people.chi = await makeResident(db, { fullName: 'Trần Minh Chi' });
  const correct = new Map(pool.map((q) => [q.id, q.options.find((o) => o.correct)!.id]));
  const wrong = new Map(pool.map((q) => [q.id, q.options.find((o) => !o.correct)!.id]));

  // Residents take the round through the real API: An and Bình answer all correctly
  // (An predicts better), Chi gets one right.
  const take = async (u: User, allRight: boolean, prediction: number) => {
    const started = await start(app, round.id, tokenFor(app, u));
    expect(started.statusCode, started.body).toBe(201);
    const attempt = started.json() as { attemptId: string; questions: { id: string }[] };
    const answers = attempt.questions.map((q, i) => ({ questionId: q.id, optionId: (allRight || i === 0 ? correct : wrong).get(q.id)! }));
    const sub = await submit(app, attempt.attemptId, tokenFor(app, u), { answers, prediction });
    expect(sub.statusCode, sub.body).toBe(200);
  };
  await take(people.an, true, 2);
  await take(people.binh, true, 9);
  await take(people.chi, false, 2);
  // The organizer closes the round early (API.md: closing early = closesAt now or earlier), far
  // enough back that the submit grace has passed too: the round is sealed, so it can be finalized.
  const close = await app.inject({
    method: 'PATCH',
    url: `/api/v1/admin/rounds/${round.id}`,
    headers: bearer(tokenFor(app, organizer)),
    payload: { closesAt: new Date(Date.now() - 40_000).toISOString() },
  });
  expect(close.statusCode, close.body).toBe(200);
  await new Promise((r) => setTimeout(r, 50));

  page = await browser.open('desktop');
}, 300_000);

const row = (name: string) => page.locator('table.ranking tbody tr', { hasText: name });
const cells = async (name: string) => (await row(name).locator('td').allTextContents()).map((s) => s.trim());

describe('judge journey (desktop)', { timeout: 120_000 }, () => {
  it('opens the closed round from the judge pages', async () => {
    await loginThroughUi(page, server.url, judgePhone, PASSWORD);
    await page.getByRole('heading', { name: 'Ban Giám khảo' }).waitFor();
    await page.getByRole('link', { name: 'Cuộc thi để chấm' }).click();
    await page.getByRole('heading', { name: 'Xếp hạng tập thể' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Tuần 1' }).click();
    await page.getByText('Tuần thi chưa được chấm.').waitFor();
  });

  it('finalizes and shows the ranking with every tie-break column', async () => {
    await page.getByRole('button', { name: 'Chấm điểm, xếp hạng' }).click();
    await page.getByText('Đã chấm: 3 người được xếp hạng; 2 người đúng tất cả.').waitFor();
    await row('Trần Minh Chi').waitFor();
    const headers = (await page.locator('table.ranking thead th').allTextContents()).map((s) => s.trim());
    for (const h of [
      'Hạng',
      'Giải',
      'Họ và tên',
      'Điểm',
      'Dự đoán',
      'Sai số dự đoán',
      'Thời gian làm bài',
      'Thời điểm nộp',
      'Lượt',
      'Số CCCD',
      'Điện thoại',
      'Năm sinh',
      'Hợp lệ',
    ]) {
      expect(headers).toContain(h);
    }
    // An: 3/3 and prediction error 0 beats Bình: 3/3 and error 7.
    expect((await cells('Nguyễn Văn An')).slice(0, 6)).toEqual(['1', 'Giải Nhất', 'Nguyễn Văn An', '3/3', '2', '0']);
    expect((await cells('Lê Thị Bình')).slice(0, 6)).toEqual(['2', 'Giải Nhì', 'Lê Thị Bình', '3/3', '9', '7']);
    expect((await cells('Trần Minh Chi')).slice(0, 4)).toEqual(['3', '', 'Trần Minh Chi', '1/3']);
    // Each cell under its header; what a judge reviews and acts on comes before the identity
    // details, so on a desktop screen it shows without scrolling the table sideways.
    const an = Object.fromEntries((await cells('Nguyễn Văn An')).map((c, i) => [headers[i], c]));
    expect(an).toMatchObject({ 'Họ và tên': 'Nguyễn Văn An', 'Hợp lệ': 'Có', Lượt: '1', 'Số CCCD': people.an.nationalId, 'Điện thoại': people.an.phone });
    expect(an['Dấu hiệu cần xem xét']).toContain('Làm bài nhanh bất thường');
    const wrap = (await page.locator('table.ranking').locator('xpath=..').boundingBox())!;
    for (const seen of [
      page.locator('table.ranking thead th', { hasText: 'Dấu hiệu cần xem xét' }),
      row('Lê Thị Bình').getByRole('button', { name: 'Loại Lê Thị Bình' }),
    ]) {
      const box = (await seen.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(wrap.x + wrap.width);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('disqualifies with a reason; after finalizing again the prize moves down', async () => {
    await page.getByRole('button', { name: 'Loại Lê Thị Bình' }).click();
    const dialog = page.getByRole('dialog');
    await pressNeedingReason(dialog, 'Loại', 'Vui lòng nhập lý do.', ['Lý do', 'Khai báo sai thông tin cá nhân']);
    await page.getByText('Đã loại Lê Thị Bình', { exact: false }).waitFor();
    await page.getByText('Dữ liệu đã thay đổi sau lần chấm gần nhất', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Công bố kết quả' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Chấm lại' }).click();
    await page.getByText('Đã chấm: 2 người được xếp hạng; 1 người đúng tất cả.').waitFor();
    await expect.poll(async () => (await cells('Trần Minh Chi'))[0]).toBe('2');
    expect((await cells('Trần Minh Chi')).slice(0, 2)).toEqual(['2', 'Giải Nhì']);
    const binh = await cells('Lê Thị Bình');
    expect(binh[0]).toBe('—');
    expect(binh.join(' ')).toContain('Khai báo sai thông tin cá nhân');
    expect(await row('Lê Thị Bình').getByRole('button', { name: 'Khôi phục Lê Thị Bình' }).count()).toBe(1);
  });

  it('downloads the XLSX, whose bytes match the x-content-sha256 header', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải Excel' }).click()]);
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    await page.getByText('khớp mã kiểm tra').waitFor();
    const shown = (await page.locator('.checks code').first().textContent())!.trim();
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(shown);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const text: string[] = [];
    book.eachSheet((sheet) => sheet.eachRow((r) => text.push(JSON.stringify(r.values))));
    expect(text.join('\n')).toContain('Nguyễn Văn An');
  });

  it('publishes, and the winners appear on the public round page', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Công bố kết quả' }).click();
    await page.getByText('Đã công bố kết quả.').waitFor();
    await page.goto(`${server.url}/c/${contestSlug}/rounds/${roundId}`);
    await page.getByRole('heading', { name: 'Danh sách đoạt giải' }).waitFor();
    await page.locator('td', { hasText: 'Nguyễn Văn An' }).waitFor();
    const masked = people.an.phone.slice(0, 3);
    expect(await page.locator('tbody tr', { hasText: 'Nguyễn Văn An' }).textContent()).toContain(masked);
    expect(await page.locator('tbody tr', { hasText: 'Lê Thị Bình' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Đáp án' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The contest's home page lists the top winners on the round's card.
    await page.goto(`${server.url}/c/${contestSlug}`);
    await page.getByText('Đoạt giải cao nhất').waitFor();
    expect(await page.locator('.round', { hasText: 'Tuần 1' }).textContent()).toContain('Nguyễn Văn An');
    expectNoPageErrors(browser.errors[0]);

    // On a phone each winner is a card: every column's value is on the screen, none past its edge.
    const phone = await browser.open('phone');
    await phone.goto(`${server.url}/c/${contestSlug}/rounds/${roundId}`);
    const card = phone.locator('tbody tr', { hasText: 'Nguyễn Văn An' });
    await card.waitFor();
    const width = await phone.evaluate(() => window.innerWidth);
    for (const label of ['Hạng', 'Giải', 'Điểm', 'Dự đoán', 'Thời gian làm bài']) {
      const cell = card.locator(`td[data-label="${label}"]`);
      const box = (await cell.boundingBox())!;
      expect(box.x + box.width, label).toBeLessThanOrEqual(width);
    }
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await seriousA11yViolations(phone)).toEqual([]);
  });

  it('asks before finalizing a published round again, and nothing changes when the judge says no', async () => {
    await page.goto(`${server.url}/judge/${contestSlug}/rounds/${roundId}`);
    await page.getByRole('button', { name: 'Đã công bố' }).waitFor();
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Chấm lại' }).click();
    await expect.poll(() => asked).toContain('Chấm lại sẽ rút lại việc công bố');
    const [r] = await server.ctx.database.db.select().from(rounds).where(eq(rounds.id, roundId));
    expect(r.publishedAt).not.toBeNull();
  });

  it('enables finalizing by itself when the round is sealed while the page is open', async () => {
    const db = server.ctx.database.db;
    const [contest] = await db.select().from(contests).where(eq(contests.slug, contestSlug));
    // Closed 22 s ago: sealed when the 30 s submit grace is over, some 8 s from now.
    const { round } = await makeRound(db, contest.id, { number: 2, title: 'Tuần sắp niêm phong', closesAt: new Date(Date.now() - 22_000) });
    await page.goto(`${server.url}/judge/${contestSlug}/rounds/${round.id}`);
    const finalize = page.getByRole('button', { name: 'Chấm điểm, xếp hạng' });
    await finalize.waitFor();
    expect(await finalize.isDisabled()).toBe(true);
    await page.getByText('Chấm được từ', { exact: false }).waitFor();
    await expect.poll(() => finalize.isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.getByText('Đã niêm phong').waitFor();
  });
});

// The rows a judge must look at: a round of 103, 101 of them flagged (too fast) and one
// excluded, filtered from the ranking page, paged within the filter, kept in the URL.
describe('ranking filters (desktop)', { timeout: 180_000 }, () => {
  let url = '';
  beforeAll(async () => {
    const db = server.ctx.database.db;
    const contest = await makeContest(db, { title: 'Cuộc thi có dấu hiệu', onePrizePerPerson: false });
    const { round } = await makeClosedRound(db, contest.id, { number: 1, title: 'Tuần lọc', questionCount: 10 });
    url = `${server.url}/judge/${contest.slug}/rounds/${round.id}`;
    // Two slow ones on top (one of them excluded), then 101 too fast (under 1.5 s a question), in name order.
    const an = await makeResident(db, { fullName: 'Chậm An' });
    const bao = await makeResident(db, { fullName: 'Chậm Bảo' });
    await makeSubmission(db, round, an.id, { score: 10, durationMs: 60_000 });
    await makeSubmission(db, round, bao.id, { score: 10, durationMs: 61_000 });
    await makeExclusion(db, contest.id, { phone: bao.phone });
    for (let i = 1; i <= 101; i++) {
      const r = await makeResident(db, { fullName: `Nhanh ${String(i).padStart(3, '0')}` });
      await makeSubmission(db, round, r.id, { score: 9, durationMs: 5_000 + i });
    }
  }, 120_000);

  const filters = () => page.getByRole('navigation', { name: 'Lọc bảng xếp hạng' }).getByRole('link');
  const shown = () => page.locator('table.ranking tbody tr');
  const names = async () => (await shown().locator('td.name').allTextContents()).map((s) => s.trim());

  it('shows All, With signs to review and Ineligible with their counts, as targets of 44 px', async () => {
    await page.goto(url);
    await page.getByRole('button', { name: 'Chấm điểm, xếp hạng' }).click();
    await filters().filter({ hasText: 'Có dấu hiệu cần xem xét (101)' }).waitFor();
    expect((await filters().allTextContents()).map((s) => s.trim())).toEqual(['Tất cả (103)', 'Có dấu hiệu cần xem xét (101)', 'Không hợp lệ (1)']);
    expect(await filters().first().getAttribute('aria-current')).toBe('page');
    for (const link of await filters().all()) expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await page.getByText('Dòng 1–100 trong số 103').waitFor();
    expect((await names()).slice(0, 3)).toEqual(['Chậm An', 'Chậm Bảo', 'Nhanh 001']);
  });

  it('shows the flagged rows only, pages within them, and keeps the filter and the page across a reload', async () => {
    await filters().filter({ hasText: 'Có dấu hiệu cần xem xét' }).click();
    await page.waitForURL(/\?only=flagged$/);
    await page.getByText('Dòng 1–100 trong số 101').waitFor();
    const first = await names();
    expect(first).toHaveLength(100);
    expect(first[0]).toBe('Nhanh 001');
    expect(first).not.toContain('Chậm An');
    for (const flags of await shown().locator('td.flags').allTextContents()) expect(flags).toContain('Làm bài nhanh bất thường');
    expect(await filters().nth(1).getAttribute('aria-current')).toBe('page');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Trang sau →' }).click();
    await page.waitForURL(/\?only=flagged&offset=100$/);
    await page.getByText('Dòng 101–101 trong số 101').waitFor();
    expect(await names()).toEqual(['Nhanh 101']);
    expect(await page.getByRole('button', { name: 'Trang sau →' }).isDisabled()).toBe(true);

    await page.reload();
    await page.getByText('Dòng 101–101 trong số 101').waitFor();
    expect(await names()).toEqual(['Nhanh 101']);
    expect(await filters().nth(1).getAttribute('aria-current')).toBe('page');
    await page.getByRole('button', { name: '← Trang trước' }).click();
    await page.getByText('Dòng 1–100 trong số 101').waitFor();
  });

  it('narrows the flagged rows to one sign, with their counts, paged and kept in the URL', async () => {
    const signs = () => page.getByRole('navigation', { name: 'Lọc theo dấu hiệu' }).getByRole('link');
    // Each with how many rows carry it, once those counts have come.
    await signs().filter({ hasText: 'Làm bài nhanh bất thường (101)' }).waitFor();
    expect((await signs().allTextContents()).map((s) => s.trim())).toEqual([
      'Mọi dấu hiệu (101)',
      'Làm bài nhanh bất thường (101)',
      'Trùng đáp án (cùng câu sai) và thứ tự với tài khoản khác (0)',
      'Nhóm tài khoản trùng đáp án (cùng câu sai), dự đoán gần như nhau (0)',
      'Cùng thiết bị hoặc địa chỉ với tài khoản trùng đáp án (0)',
    ]);
    expect(await signs().first().getAttribute('aria-current')).toBe('page');
    await signs().filter({ hasText: 'Làm bài nhanh bất thường' }).click();
    await page.waitForURL(/\?only=flagged&flag=too_fast$/);
    expect(await signs().nth(1).getAttribute('aria-current')).toBe('page');
    await page.getByRole('button', { name: 'Trang sau →' }).click();
    await page.waitForURL(/\?only=flagged&flag=too_fast&offset=100$/);
    await page.getByText('Dòng 101–101 trong số 101').waitFor();
    expect(await names()).toEqual(['Nhanh 101']);

    await signs().filter({ hasText: 'Nhóm tài khoản' }).click();
    await page.waitForURL(/\?only=flagged&flag=answer_farm$/);
    await page.getByText('Không có dòng nào có dấu hiệu này.').waitFor();
    expect(await shown().locator('td.name').count()).toBe(0);
    await signs().filter({ hasText: 'Mọi dấu hiệu' }).click();
    await page.waitForURL(/\?only=flagged$/);
    await page.getByText('Dòng 1–100 trong số 101').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows the ineligible rows with their reason, and all rows again', async () => {
    await filters().filter({ hasText: 'Không hợp lệ' }).click();
    await page.waitForURL(/\?only=ineligible$/);
    await expect.poll(names).toEqual(['Chậm Bảo']);
    expect(await row('Chậm Bảo').textContent()).toContain('Thuộc danh sách loại trừ');
    await filters().filter({ hasText: 'Tất cả' }).click();
    await page.waitForURL((u) => u.search === '');
    await page.getByText('Dòng 1–100 trong số 103').waitFor();
    expectNoPageErrors(browser.errors[0]);
  });

  it('on a phone, the three filters wrap on the screen instead of hiding past its edge, and the pager is of 44 px', async () => {
    const [judge] = await server.ctx.database.db.select().from(users).where(eq(users.phone, judgePhone));
    const context = await browser.context('phone');
    await signedIn(context, tokenFor(server.ctx.app, judge), judge);
    const phone = await context.newPage();
    await phone.goto(`${url}?only=ineligible`);
    await phone.getByText('Dòng 1–1 trong số 1').waitFor();
    const width = await phone.evaluate(() => window.innerWidth);
    const links = phone.getByRole('navigation', { name: 'Lọc bảng xếp hạng' }).getByRole('link');
    expect(await links.count()).toBe(3);
    for (const link of await links.all()) {
      const box = (await link.boundingBox())!;
      expect(box.x + box.width, (await link.textContent()) ?? '').toBeLessThanOrEqual(width);
      expect(box.height).toBeGreaterThanOrEqual(44);
    }
    for (const button of await phone.getByRole('button', { name: /Trang (sau|trước)/ }).all())
      expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  });
});

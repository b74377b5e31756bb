import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, exclusions, overrides, questions, roundQuestions, rounds } from '../../db/schema/index';
import { makeContest, makeMemberStaff, makeResident, makeRound, makeStaff, PASSWORD } from '../helpers/factories';
import { makeOpenAttempt } from '../helpers/results-factories';
import { seriousA11yViolations } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, fillByLabel, loginThroughUi, useBrowser } from './support/session';

// An organizer at a desk: imports a question bank (after seeing the row errors of a bad file),
// writes one question by hand, checks the bank's quality, then sets up a round and its question pool.
const server = useWebServer();
const browser = useBrowser();
let page: Page;
let contestId = '';
let contestSlug = '';
let dir = '';
const organizerPhone = '0903111222';

const HEAD = 'Câu hỏi,Phương án A,Phương án B,Phương án C,Phương án D,Đáp án đúng,Chủ đề,Giải thích';
const goodRows = [
  'Chuyển đổi số là gì?,Một quá trình thay đổi tổng thể,Mua máy tính,Dùng mạng xã hội,,A,Khái niệm,Theo Đề án 06',
  'Ngày Chuyển đổi số quốc gia là ngày nào?,10/10,2/9,1/1,30/4,A,Sự kiện,',
  'VNeID là gì?,Ứng dụng định danh điện tử,Trò chơi,Mạng xã hội,,a,Chính quyền số,',
  'Chữ ký số dùng để làm gì?,Xác thực văn bản điện tử,Trang trí,Nén tệp,,A,Chính quyền số,',
];

beforeAll(async () => {
  const db = server.ctx.database.db;
  // A member of the contests made from here on (staff act only on their own contests).
  await makeMemberStaff(db, 'organizer', { phone: organizerPhone });
  const contest = await makeContest(db, { title: 'Cuộc thi của Ban Tổ chức' });
  contestId = contest.id;
  contestSlug = contest.slug;
  dir = mkdtempSync(join(tmpdir(), 'ttt-org-'));
  // Row 3 has no correct answer, row 4 only two options.
  writeFileSync(join(dir, 'bad.csv'), [HEAD, goodRows[0], 'Câu thiếu đáp án,Một,Hai,Ba,,,Khái niệm,', 'Câu hai phương án,Một,Hai,,,A,,', ''].join('\r\n'));
  writeFileSync(join(dir, 'good.csv'), [HEAD, ...goodRows, ''].join('\r\n'));
  page = await browser.open('desktop');
}, 300_000);

/** Opens the question editor on a new question and types its stem; answers the dialog. */
async function newQuestion(text: string) {
  await page.getByRole('button', { name: 'Thêm câu hỏi' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Nội dung câu hỏi').fill(text);
  return dialog;
}

/** Types the editor's options from A on. */
async function fillOptions(dialog: Locator, ...options: string[]) {
  for (const [i, text] of options.entries()) await dialog.locator(`#q-option${i}`).fill(text);
}

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('organizer journey (desktop)', { timeout: 120_000 }, () => {
  it('logs in (after a wrong password is refused in Vietnamese) and lands on the organizer pages', async () => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Số điện thoại').fill(organizerPhone);
    await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').getByText('Số điện thoại hoặc mật khẩu không đúng.').waitFor();
    await loginThroughUi(page, server.url, organizerPhone, PASSWORD);
    await page.getByRole('heading', { name: 'Ban Tổ chức' }).waitFor();
    await page.getByRole('link', { name: 'Cuộc thi của Ban Tổ chức' }).click();
    await page.getByRole('heading', { name: /Ngân hàng câu hỏi/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows the row errors of a bad spreadsheet and imports nothing', async () => {
    await page.getByText('Nhập, xuất câu hỏi bằng tệp').click();
    await page.getByLabel('Chọn tệp').setInputFiles(join(dir, 'bad.csv'));
    await page.getByRole('button', { name: 'Nhập câu hỏi' }).click();
    await page.getByText('Tệp có 2 lỗi', { exact: false }).waitFor();
    const rows = page.locator('table:has(caption:text("Các lỗi trong tệp")) tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td').first().textContent()).toBe('3');
    expect(await rows.nth(1).locator('td').first().textContent()).toBe('4');
    expect(await server.ctx.database.db.select().from(questions).where(eq(questions.contestId, contestId))).toHaveLength(0);
  });

  it('checks then imports a good spreadsheet, and the bank lists the questions', async () => {
    await page.getByLabel('Chọn tệp').setInputFiles(join(dir, 'good.csv'));
    await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
    await page.getByText('Tệp hợp lệ: 4 câu hỏi sẵn sàng để nhập.').waitFor();
    await page.getByRole('button', { name: 'Nhập câu hỏi' }).click();
    await page.getByText('Đã nhập 4 câu hỏi.').waitFor();
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (4)' }).waitFor();
    await page.getByLabel('Tìm theo nội dung').fill('VNeID');
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (1)' }).waitFor();
    await page.getByLabel('Tìm theo nội dung').fill('');
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (4)' }).waitFor();
    await page.getByLabel('Chủ đề', { exact: true }).first().selectOption('Chính quyền số');
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (2)' }).waitFor();
    await page.getByLabel('Chủ đề', { exact: true }).first().selectOption('');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('writes a question by hand: the editor refuses empty options, keeps 3–4 options and one correct answer', async () => {
    const dialog = await newQuestion('Cổng dịch vụ công quốc gia có địa chỉ nào?');
    await fillOptions(dialog, 'dichvucong.gov.vn', 'vnexpress.net');
    // No option is marked correct until the author marks one.
    expect(await dialog.locator('input[name="q-correct"]:checked').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await dialog.getByText('Phương án không được để trống.').first().waitFor();
    await dialog.getByText('Vui lòng chọn một đáp án đúng.').waitFor();
    // Down to three options: the remove buttons stop there.
    await dialog.getByRole('button', { name: 'Bỏ phương án D' }).click();
    expect(await dialog.getByRole('button', { name: 'Bỏ phương án C' }).isDisabled()).toBe(true);
    await dialog.locator('#q-option2').fill('google.com');
    await dialog.getByLabel('Phương án A là đáp án đúng').check();
    await dialog.getByLabel('Chủ đề').fill('Chính quyền số');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (5)' }).waitFor();
    const [q] = await server.ctx.database.db.select().from(questions).where(eq(questions.text, 'Cổng dịch vụ công quốc gia có địa chỉ nào?'));
    expect(q.options).toHaveLength(3);
    expect(q.options.filter((o) => o.correct).map((o) => o.text)).toEqual(['dichvucong.gov.vn']);
  });

  it('checks quality: a save with lower-bound options shows its warnings, the filter counts per rule, a fix clears them', async () => {
    const dialog = await newQuestion('Năm 2023, Cổng dịch vụ công có bao nhiêu tài khoản đăng ký?');
    await fillOptions(dialog, 'Hơn 85.000 tài khoản', 'Hơn 8.500 tài khoản', 'Hơn 58.000 tài khoản');
    await dialog.getByRole('button', { name: 'Bỏ phương án D' }).click();
    await dialog.getByLabel('Phương án A là đáp án đúng').check();
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    // Saved (warnings never block), and the dialog stays open to show why it is worth a second look.
    await dialog.getByText('Đã lưu. Có 1 điểm nên xem lại').waitFor();
    await dialog.getByText('Phương án cận dưới/cận trên:').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Đóng' }).click();
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (6)' }).waitFor();

    await page.getByRole('button', { name: 'Kiểm tra chất lượng' }).click();
    await page.getByRole('button', { name: 'Phương án cận dưới/cận trên: 1 câu' }).click();
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (1)' }).waitFor();
    await page.locator('td.qtext', { hasText: 'một phương án nhỏ hơn cũng đúng' }).waitFor();
    // The imported "Chuyển đổi số là gì?" has a correct option twice as long as the others.
    await page.getByRole('button', { name: /^Đáp án đúng dài nhất: \d+ câu$/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sửa câu 1' }).click();
    await dialog.getByText('Cảnh báo hiện có của câu này:').waitFor();
    await fillOptions(dialog, 'Khoảng 85.000 tài khoản', 'Khoảng 8.500 tài khoản', 'Khoảng 58.000 tài khoản');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Fixed: the rule leaves the filter, which falls back to the whole bank.
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (6)' }).waitFor();
    expect(await page.getByRole('button', { name: /^Phương án cận dưới/ }).count()).toBe(0);

    // Back to the five questions the round below expects.
    page.once('dialog', (d) => void d.accept());
    await page.getByLabel('Tìm theo nội dung').fill('tài khoản đăng ký');
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (1)' }).waitFor();
    await page.getByRole('button', { name: 'Xoá câu 1' }).click();
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (0)' }).waitFor();
    await page.getByLabel('Tìm theo nội dung').fill('');
    await page.getByRole('heading', { name: 'Ngân hàng câu hỏi (5)' }).waitFor();
  });

  it('sets up a round: dates, question count, time limit, attempts, prizes and the question pool', async () => {
    await page.getByRole('link', { name: 'Tuần thi' }).click();
    await page.getByRole('link', { name: 'Thêm tuần thi' }).click();
    await page.getByLabel('Tên tuần thi').fill('Tuần đầu tiên');
    await page.getByLabel(/Mở lúc/).fill('2030-03-02T08:00');
    await page.getByLabel(/Đóng lúc/).fill('2030-03-01T08:00');
    await fillByLabel(page, [
      ['Số câu hỏi mỗi bài', '4'],
      ['Thời gian làm bài (phút)', '15'],
      ['Số lượt thi tối đa', '2'],
    ]);
    await page.getByLabel(/Tối thiểu mỗi câu/).fill('2,5');
    await page.getByRole('button', { name: 'Tạo tuần thi' }).click();
    await page.getByText('Thời điểm đóng phải sau thời điểm mở.').waitFor();
    await page.getByLabel(/Đóng lúc/).fill('2030-03-09T08:00');
    await page.getByLabel('Tên giải 1').fill('Giải Nhất');
    await page.getByRole('button', { name: 'Thêm giải' }).click();
    await page.getByLabel('Tên giải 2').fill('Giải Khuyến khích');
    await page.getByLabel('Số giải').nth(1).fill('3');
    await page.getByRole('button', { name: 'Tạo tuần thi' }).click();
    await page.getByRole('heading', { name: 'Câu hỏi của tuần thi' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByText('Đã chọn 0 câu').waitFor();
    // Until the pool holds 4 questions the round could not start, even at its opening time: the page says so.
    await page.getByTestId('pool-short').getByText('Kho câu hỏi của tuần thi mới có 0 câu, ít hơn 4 câu mỗi bài thi').waitFor();
    await page.getByRole('button', { name: /Chọn 5 câu đang hiện/ }).click();
    await page.getByText('Đã chọn 5 câu').waitFor();
    await page.getByRole('button', { name: 'Lưu bộ câu hỏi' }).click();
    await page.getByText('Đã lưu bộ câu hỏi (5 câu).').waitFor();
    await page.getByTestId('pool-short').waitFor({ state: 'detached' });

    const db = server.ctx.database.db;
    const [r] = await db.select().from(rounds).where(eq(rounds.contestId, contestId));
    expect(r).toMatchObject({ title: 'Tuần đầu tiên', questionCount: 4, timeLimitSeconds: 900, maxAttempts: 2, minMsPerQuestion: 2500 });
    // Entered as Vietnam time (UTC+7).
    expect(r.opensAt.toISOString()).toBe('2030-03-02T01:00:00.000Z');
    expect(r.closesAt.toISOString()).toBe('2030-03-09T01:00:00.000Z');
    expect(r.prizes).toEqual([
      { name: 'Giải Nhất', count: 1 },
      { name: 'Giải Khuyến khích', count: 3 },
    ]);
    expect(await db.select().from(roundQuestions).where(eq(roundQuestions.roundId, r.id))).toHaveLength(5);
    expect(contestSlug).not.toBe('');
  });

  it('gives one resident an extra attempt and extra time after an incident', async () => {
    const db = server.ctx.database.db;
    const resident = await makeResident(db, { phone: '0356789012', fullName: 'Hà Thị Sự Cố' });
    await page.getByRole('heading', { name: 'Ngoại lệ cho người dự thi' }).waitFor();
    await page.getByText('Chưa có ngoại lệ nào.').waitFor();
    await fillByLabel(page, [
      ['Điện thoại', '0356 000 999'],
      ['Thêm lượt', '1'],
      ['Thêm phút', '10'],
      ['Lý do', 'Mất điện khi đang làm bài'],
    ]);
    await page.getByRole('button', { name: 'Lưu ngoại lệ' }).click();
    // A number nobody registered with is named as such, beside the phone.
    await page.getByText('Không có tài khoản nào đăng ký bằng số điện thoại này.').waitFor();
    await fillByLabel(page, [['Điện thoại', '0356 789 012']]);
    await page.getByRole('button', { name: 'Lưu ngoại lệ' }).click();
    await page.getByText('Đã lưu ngoại lệ cho Hà Thị Sự Cố').waitFor();
    await page.getByRole('cell', { name: 'Mất điện khi đang làm bài' }).waitFor();
    const [o] = await db.select().from(overrides).where(eq(overrides.userId, resident.id));
    expect(o).toMatchObject({ extraAttempts: 1, extraSeconds: 600, reason: 'Mất điện khi đang làm bài' });
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('closes an open round early, and a later save of the form keeps it closed', async () => {
    const db = server.ctx.database.db;
    const { round } = await makeRound(db, contestId, { number: 9, title: 'Tuần đang mở' });
    await page.goto(`${server.url}/admin/${contestSlug}/rounds/${round.id}`);
    await page.getByLabel('Tên tuần thi').waitFor();
    expect(await page.getByLabel('Tên tuần thi').inputValue()).toBe('Tuần đang mở');
    const closesBefore = await page.getByLabel(/Đóng lúc/).inputValue();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Đóng tuần thi ngay' }).click();
    await page.getByRole('button', { name: 'Đóng tuần thi ngay' }).waitFor({ state: 'detached' });
    // The form reads the round as closed: its close time is now, not the one loaded before.
    await expect.poll(() => page.getByLabel(/Đóng lúc/).inputValue()).not.toBe(closesBefore);
    const [closed] = await db.select().from(rounds).where(eq(rounds.id, round.id));
    expect(closed.closesAt.getTime()).toBeLessThanOrEqual(Date.now());

    await page.getByLabel('Tên tuần thi').fill('Tuần đã đóng sớm');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await page.getByText('Đã lưu.').waitFor();
    const [after] = await db.select().from(rounds).where(eq(rounds.id, round.id));
    expect(after.title).toBe('Tuần đã đóng sớm');
    expect(after.closesAt.getTime()).toBe(closed.closesAt.getTime());
    expect(await page.getByRole('button', { name: 'Đóng tuần thi ngay' }).count()).toBe(0);

    // Someone took it: its pool is fixed, and the bank marks its questions instead of offering edits that would fail.
    await makeOpenAttempt(db, after, (await makeResident(db)).id);
    await page.reload();
    await page.getByText('Tuần thi đã có người làm bài nên bộ câu hỏi không thể thay đổi nữa.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Lưu bộ câu hỏi' }).count()).toBe(0);
    expect(await page.locator('ul.pool input[type="checkbox"]:not([disabled])').count()).toBe(0);
    await page.getByRole('link', { name: 'Ngân hàng câu hỏi' }).click();
    await expect.poll(() => page.getByText('Đã có người làm', { exact: true }).count()).toBe(5);
  });

  it('keeps an exclusion list and shows live participation', async () => {
    await page.getByRole('link', { name: 'Danh sách loại trừ' }).click();
    await page.getByText('Danh sách trống.').waitFor();
    // Read as the file import reads them: zeros a spreadsheet dropped, dots, a row pasted from
    // Excel (CCCD, phone, name in columns); a line it cannot read stays in the box, saying why.
    await page
      .getByLabel('Dán nhiều dòng')
      .fill(
        '0905123456, Tổ ra đề\n038090001234, Ban Giám khảo\n38092000303\n912000404\n038.088.000.505\n038092000707\t0912000707\tNguyễn Văn Bảy\nLê Thị Tám, 1185000202',
      );
    await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
    await page.getByText('1 dòng chưa thêm được (vẫn để trong ô để sửa):').waitFor();
    expect(await page.getByLabel('Dán nhiều dòng').inputValue()).toBe('Lê Thị Tám, 1185000202');
    // Not saved yet: the page says so, and leaving it asks first (no keeps the edits).
    await page.getByText('Danh sách có thay đổi chưa lưu.').waitFor();
    const leaving: string[] = [];
    page.once('dialog', (d) => {
      leaving.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('link', { name: 'Theo dõi trực tiếp' }).click();
    await expect.poll(() => leaving).toEqual(['Danh sách có thay đổi chưa lưu. Rời trang và bỏ các thay đổi?']);
    expect(page.url()).toContain('/exclusions');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await page.getByText('Đã lưu danh sách (6 dòng).').waitFor();
    expect(await page.getByText('Danh sách có thay đổi chưa lưu.').count()).toBe(0);
    const list = await server.ctx.database.db.select().from(exclusions).where(eq(exclusions.contestId, contestId));
    expect(list.map((e) => [e.phone, e.nationalId, e.note]).sort()).toEqual(
      [
        ['0905123456', null, 'Tổ ra đề'],
        [null, '038090001234', 'Ban Giám khảo'],
        [null, '038092000303', null],
        ['0912000404', null, null],
        [null, '038088000505', null],
        ['0912000707', '038092000707', 'Nguyễn Văn Bảy'],
      ].sort(),
    );
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Replacing the whole list from a file asks first: saying no keeps the six rows.
    writeFileSync(join(dir, 'exclusions.csv'), 'Số CCCD,Số điện thoại,Ghi chú\r\n,0906000111,Thư ký\r\n');
    await page.getByRole('radio', { name: 'Thay thế toàn bộ danh sách' }).check();
    await page.locator('#excl-file').setInputFiles(join(dir, 'exclusions.csv'));
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Nhập tệp' }).click();
    await expect.poll(() => asked).toEqual([expect.stringContaining('6 dòng đang có sẽ bị xoá')]);
    expect(await server.ctx.database.db.select().from(exclusions).where(eq(exclusions.contestId, contestId))).toHaveLength(6);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Nhập tệp' }).click();
    await page.getByText('Đã nhập 1 dòng.').waitFor();
    const replaced = await server.ctx.database.db.select().from(exclusions).where(eq(exclusions.contestId, contestId));
    expect(replaced.map((e) => e.phone)).toEqual(['0906000111']);

    await page.getByRole('link', { name: 'Theo dõi trực tiếp' }).click();
    await page.getByText('Người đã bắt đầu làm bài', { exact: true }).waitFor();
    await page.getByText('Lượt bắt đầu làm bài theo giờ').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expectNoPageErrors(browser.errors[0]);
  });

  it('says a contest has no rounds yet (live page, public page) instead of loading forever; a 150 s limit reads 2 phút 30 giây', async () => {
    const db = server.ctx.database.db;
    const empty = await makeContest(db, { title: 'Cuộc thi chưa có tuần' });
    await page.goto(`${server.url}/admin/${empty.slug}/live`);
    await page.getByRole('heading', { name: 'Theo dõi trực tiếp' }).waitFor();
    await page.getByText('Chưa có tuần thi nào.').waitFor();
    expect(await page.getByText('Đang tải…').count()).toBe(0);
    await page.goto(`${server.url}/c/${empty.slug}`);
    await page.getByRole('heading', { name: 'Các tuần thi' }).waitFor();
    await page.getByText('Chưa có tuần thi nào.').waitFor();

    await makeRound(db, empty.id, { number: 1, title: 'Tuần lẻ giây', timeLimitSeconds: 150 });
    await page.goto(`${server.url}/admin/${empty.slug}/rounds`);
    await page
      .getByRole('row', { name: /Tuần lẻ giây/ })
      .getByRole('cell', { name: '2 phút 30 giây' })
      .waitFor();
    await page.goto(`${server.url}/admin/${empty.slug}/live`);
    await page.getByText('Người đã bắt đầu làm bài', { exact: true }).waitFor();
    expect(await page.getByText('Chưa có tuần thi nào.').count()).toBe(0);
    expectNoPageErrors(browser.errors[0]);
  });

  it('shows an administrator the audit log of the contest', async () => {
    const adminPhone = '0903999888';
    await makeStaff(server.ctx.database.db, 'admin', { phone: adminPhone });
    // A page of its own whose errors are watched (browser.errors).
    const adminPage = await browser.open('desktop');
    await loginThroughUi(adminPage, server.url, adminPhone, PASSWORD);
    await adminPage.goto(`${server.url}/admin/${contestSlug}/audit`);
    await adminPage.getByRole('link', { name: 'Nhật ký' }).waitFor();
    await adminPage.locator('code', { hasText: 'question.import' }).first().waitFor();
    // In words, with who did it in their role's name.
    await adminPage.getByText('Nhập câu hỏi từ tệp').first().waitFor();
    await adminPage.getByText('(Ban Tổ chức)').first().waitFor();
    await adminPage.getByLabel('Thao tác').fill('round.');
    await expect.poll(async () => (await adminPage.locator('tbody code').allTextContents()).every((a) => a.startsWith('round.'))).toBe(true);
    expect(await adminPage.locator('tbody code').allTextContents()).toContain('round.create');

    // A list saved whole is told by what changed, in words: the import above replaced six entries by one.
    await adminPage.getByLabel('Thao tác').fill('exclusions.import');
    const imported = adminPage.locator('tbody tr').filter({ hasText: 'exclusions.import' }).first();
    await imported.getByText('Xem', { exact: true }).click();
    await imported.getByText('Số mục: 6 → 1').waitFor();
    await imported.getByText('Bỏ 6 mục').waitFor();
    await imported.getByText('SĐT 0906000111 · “Thư ký”').waitFor();
    await imported.getByText('Mã kiểm tra (SHA-256) của cả danh sách sau khi lưu', { exact: false }).waitFor();

    // A record from before that, holding a whole list of megabytes, is too large for the list: it says so and loads whole on demand.
    const entries = Array.from({ length: 30_000 }, (_, i) => ({ nationalId: `0380900${String(i).padStart(5, '0')}`, phone: null, note: `Cán bộ số ${i}` }));
    await server.ctx.database.db
      .insert(auditLog)
      .values({ actorId: null, action: 'exclusions.replace', entity: 'contest', entityId: contestId, after: { count: entries.length, entries } });
    await adminPage.getByLabel('Thao tác').fill('exclusions.replace');
    const legacy = adminPage.locator('tbody tr').filter({ hasText: 'exclusions.replace' }).first();
    await legacy.getByText('Xem', { exact: true }).click();
    await legacy.getByText(/Bản ghi quá lớn để hiện trong danh sách \(Sau: [0-9,]+ (KB|MB)\)/).waitFor();
    await legacy.getByRole('button', { name: 'Xem đầy đủ' }).click();
    await legacy.locator('pre', { hasText: '"count": 30000' }).waitFor();
    expect(await seriousA11yViolations(adminPage)).toEqual([]);
    expectNoPageErrors(browser.errors.at(-1)!);
    await adminPage.context().close();
  });
});

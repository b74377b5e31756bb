import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { contestMembers, loginFailures, roundQuestions } from '../../db/schema/index';
import { makeContest, makeMemberStaff, makeQuestions, makeResident, makeRound, makeStaff, PASSWORD } from '../helpers/factories';
import { seriousA11yViolations } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, loginThroughUi, useBrowser } from './support/session';

// Trust in the browser: an organizer sees only their own contest and manages its members,
// sees when each round's answer key opens, and reuses a question whose answer is public
// only after saying so; a judge reads the members; an administrator resets a resident's
// password, the resident is held on the password change until done, and a locked account
// is sent back to the login page.
const server = useWebServer();
const browser = useBrowser();
const errors = browser.errors;
let contestId = '';
let contestSlug = '';
let openRoundId = '';
let nextRoundId = '';
let publishedCount = 0;
const organizerPhone = '0907111222';
const judgePhone = '0907333444';
const residentPhone = '0907555666';
const adminPhone = '0907777888';
const HOUR = 3_600_000;

/** Reloads `path` in `page` until the app says the session was revoked (the contract: within 5 s, polled up to 20 s). */
async function untilRevoked(page: Page, path: string) {
  const revoked = async () => {
    await page.goto(`${server.url}${path}`);
    return page
      .getByText('Phiên đăng nhập đã bị thu hồi, vui lòng đăng nhập lại.')
      .waitFor({ timeout: 2000 })
      .then(() => true)
      .catch(() => false);
  };
  await expect.poll(revoked, { timeout: 20_000, interval: 500 }).toBe(true);
}

const open = (size: 'phone' | 'desktop' = 'desktop') => browser.open(size);

beforeAll(async () => {
  const db = server.ctx.database.db;
  // Made before the organizer exists, so the organizer is not a member of it.
  await makeContest(db, { title: 'Cuộc thi của tỉnh khác' });
  await makeMemberStaff(db, 'organizer', { phone: organizerPhone, fullName: 'Trần Tổ Chức' });
  const contest = await makeContest(db, { title: 'Cuộc thi của tôi' });
  contestId = contest.id;
  contestSlug = contest.slug;
  const now = Date.now();
  // Round 1 is open (its key opens later), round 2 closed an hour ago (sealed: its pool's answers
  // are public), round 3 is next week's, with an empty pool.
  openRoundId = (await makeRound(db, contest.id, { number: 1, title: 'Tuần 1', opensAt: new Date(now - HOUR), closesAt: new Date(now + 2 * HOUR) }, 3)).round
    .id;
  const closed = await makeRound(
    db,
    contest.id,
    { number: 2, title: 'Tuần 2', opensAt: new Date(now - 3 * HOUR), closesAt: new Date(now - HOUR), questionCount: 3 },
    3,
  );
  publishedCount = closed.pool.length;
  nextRoundId = (
    await makeRound(
      db,
      contest.id,
      { number: 3, title: 'Tuần 3', opensAt: new Date(now + 24 * HOUR), closesAt: new Date(now + 48 * HOUR), questionCount: 3 },
      0,
    )
  ).round.id;
  await makeQuestions(db, contest.id, 2);
  await makeStaff(db, 'judge', { phone: judgePhone, fullName: 'Lê Giám Khảo' });
  await makeResident(db, { phone: residentPhone, fullName: 'Phạm Thị Dân' });
  await makeStaff(db, 'admin', { phone: adminPhone, fullName: 'Quản Trị Viên' });
}, 300_000);

describe('an organizer on their own contest (desktop)', { timeout: 120_000 }, () => {
  let page: Page;

  it('lists only the contests the organizer is a member of', async () => {
    page = await open();
    await loginThroughUi(page, server.url, organizerPhone, PASSWORD);
    await page.getByRole('heading', { name: 'Ban Tổ chức' }).waitFor();
    await page.getByRole('link', { name: 'Cuộc thi của tôi' }).waitFor();
    expect(await page.getByText('Cuộc thi của tỉnh khác').count()).toBe(0);
    expect(await page.getByText('Vai trò của bạn: Ban Tổ chức').count()).toBe(1);
    // Only administrators manage accounts.
    expect(await page.getByRole('link', { name: 'Người dùng', exact: true }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('manages the members: an unknown phone is named in its row, the last organizer cannot leave, a judge joins', async () => {
    await page.getByRole('link', { name: 'Cuộc thi của tôi' }).click();
    await page.getByRole('link', { name: 'Thành viên' }).click();
    await page.getByRole('heading', { name: 'Thành viên của cuộc thi' }).waitFor();
    await page.getByRole('cell', { name: 'Trần Tổ Chức', exact: true }).waitFor();

    await page.getByLabel('Số điện thoại').fill('0907 999 000');
    await page.getByLabel('Vai trò').selectOption('judge');
    await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
    await page.getByText('Danh sách có thay đổi chưa lưu.').waitFor();
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    const bad = page.locator('tbody tr', { hasText: '0907999000' });
    await bad.getByText('Không có tài khoản nào với số điện thoại này.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await bad.getByRole('button', { name: 'Bỏ 0907999000 khỏi danh sách' }).click();

    // Without an organizer nobody but an administrator could manage the contest: refused.
    await page.getByRole('button', { name: 'Bỏ Trần Tổ Chức khỏi danh sách' }).click();
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    await page.getByText('Cuộc thi cần ít nhất một thành viên Ban Tổ chức.').waitFor();
    await page.reload();
    await page.getByRole('cell', { name: 'Trần Tổ Chức', exact: true }).waitFor();

    await page.getByLabel('Số điện thoại').fill(judgePhone);
    await page.getByLabel('Vai trò').selectOption('judge');
    await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    await page.getByText('Đã lưu danh sách thành viên.').waitFor();
    await page.getByRole('cell', { name: 'Lê Giám Khảo', exact: true }).waitFor();
    const members = await server.ctx.database.db.select().from(contestMembers).where(eq(contestMembers.contestId, contestId));
    expect(members.map((m) => m.role).sort()).toEqual(['judge', 'organizer']);
  });

  it('shows when each round is sealed', async () => {
    await page.getByRole('link', { name: 'Tuần thi' }).click();
    const row = (n: string) => page.locator('tbody tr', { hasText: n });
    await row('Tuần 2').getByText('Đã niêm phong').waitFor();
    expect(await row('Tuần 1').textContent()).toMatch(/Đáp án công bố lúc \d{2}:\d{2}/);
    expect(await row('Tuần 1').getByText('Đã niêm phong').count()).toBe(0);
    await page.getByRole('link', { name: 'Tuần 1' }).click();
    await page
      .getByText(/Đáp án công bố lúc \d{2}:\d{2}/)
      .first()
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('marks questions whose answer is public and reuses them only after confirming', async () => {
    await page.goto(`${server.url}/admin/${contestSlug}/rounds/${nextRoundId}`);
    await page.getByRole('heading', { name: 'Câu hỏi của tuần thi' }).waitFor();
    await expect.poll(() => page.locator('.pool').getByText('Đã công bố đáp án').count()).toBe(publishedCount);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /Chọn \d+ câu đang hiện/ }).click();
    // First refusal of the confirmation: nothing is saved.
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Lưu bộ câu hỏi' }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain(`${publishedCount} câu hỏi đã được công bố đáp án`);
    const db = server.ctx.database.db;
    expect(await db.select().from(roundQuestions).where(eq(roundQuestions.roundId, nextRoundId))).toHaveLength(0);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Lưu bộ câu hỏi' }).click();
    await page.getByText(/Đã lưu bộ câu hỏi/).waitFor();
    expect((await db.select().from(roundQuestions).where(eq(roundQuestions.roundId, nextRoundId))).length).toBeGreaterThanOrEqual(publishedCount + 2);
    expectNoPageErrors(errors[0]);
  });

  it('lets the judge member see the contest and read, not edit, its members', async () => {
    const judge = await open();
    await loginThroughUi(judge, server.url, judgePhone, PASSWORD);
    await judge.getByRole('heading', { name: 'Ban Giám khảo' }).waitFor();
    await judge.getByRole('link', { name: 'Cuộc thi của tôi' }).click();
    await judge.locator('tbody tr', { hasText: 'Tuần 2' }).getByText('Đã niêm phong').waitFor();
    await judge.goto(`${server.url}/judge`);
    await judge.getByRole('link', { name: 'Cuộc thi của tôi' }).waitFor();
    expect(await judge.getByText('Cuộc thi của tỉnh khác').count()).toBe(0);
    await judge.getByRole('link', { name: 'Cuộc thi của tôi' }).click();
    await judge.getByRole('link', { name: 'Thành viên' }).click();
    await judge.getByRole('cell', { name: 'Trần Tổ Chức', exact: true }).waitFor();
    await judge.getByText('Chỉ Ban Tổ chức của cuộc thi mới sửa được danh sách này.').waitFor();
    expect(await judge.getByRole('button', { name: 'Lưu danh sách' }).count()).toBe(0);
    expect(await seriousA11yViolations(judge)).toEqual([]);
    expectNoPageErrors(errors[1]);
  });

  it('changes the password (staying signed in with the new one) and logs out of every device', async () => {
    // A second device, signed in before the change: it is refused afterwards.
    const other = await open('phone');
    await loginThroughUi(other, server.url, organizerPhone, PASSWORD);
    await page.getByRole('link', { name: 'Tài khoản' }).click();
    await page.getByRole('heading', { name: 'Tài khoản của tôi' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    const fresh = 'to-chuc-moi-2026';
    await page.getByLabel('Mật khẩu hiện tại').fill(PASSWORD);
    await page.getByLabel('Mật khẩu mới', { exact: true }).fill(fresh);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(fresh + 'x');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await page.getByText('Hai mật khẩu không giống nhau.').waitFor();
    await page.getByLabel('Nhập lại mật khẩu mới').fill(fresh);
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await page.getByText('Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.').waitFor();
    // The app logged in again with the new password: the organizer pages still answer.
    await page.getByRole('link', { name: 'Ban Tổ chức' }).click();
    await page.getByRole('link', { name: 'Cuộc thi của tôi' }).waitFor();
    await untilRevoked(other, '/admin');

    await page.getByRole('link', { name: 'Tài khoản' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Đăng xuất khỏi mọi thiết bị' }).click();
    await page.getByText('Đã đăng xuất khỏi mọi thiết bị. Vui lòng đăng nhập lại.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await loginThroughUi(page, server.url, organizerPhone, fresh);
    await page.getByRole('link', { name: 'Cuộc thi của tôi' }).waitFor();
  });
});

describe('a help-desk password reset (admin on a desktop, resident on a phone)', { timeout: 120_000 }, () => {
  let admin: Page;
  let resident: Page;
  let temporary = '';
  const newPassword = 'mat-khau-moi-2026';

  it('the administrator finds the resident by phone and resets the password, shown once', async () => {
    admin = await open();
    await loginThroughUi(admin, server.url, adminPhone, PASSWORD);
    await admin.getByRole('link', { name: 'Người dùng', exact: true }).click();
    await admin.getByRole('heading', { name: 'Tài khoản người dùng' }).waitFor();
    await admin.getByLabel('Số điện thoại').fill(residentPhone);
    await admin.getByRole('button', { name: 'Tìm' }).click();
    const card = admin.locator('li.card', { hasText: 'Phạm Thị Dân' });
    await card.getByText('Đang hoạt động').waitFor();
    expect(await seriousA11yViolations(admin)).toEqual([]);
    admin.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Đặt lại mật khẩu' }).click();
    await admin.getByRole('heading', { name: 'Mật khẩu tạm thời của Phạm Thị Dân' }).waitFor();
    await admin.getByText('Mật khẩu này chỉ hiện một lần.', { exact: false }).waitFor();
    temporary = await admin.getByRole('textbox', { name: 'Mật khẩu tạm thời' }).inputValue();
    expect(temporary.length).toBeGreaterThanOrEqual(8);
    await admin.getByRole('button', { name: 'Sao chép' }).waitFor();
    expect(await seriousA11yViolations(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Đã chép xong, ẩn mật khẩu' }).click();
    expect(await admin.getByRole('textbox', { name: 'Mật khẩu tạm thời' }).count()).toBe(0);
  });

  it('the resident logs in with it and cannot go anywhere before choosing a new password', async () => {
    resident = await open('phone');
    await resident.goto(`${server.url}/login`);
    await resident.getByLabel('Số điện thoại').fill(residentPhone);
    await resident.getByLabel('Mật khẩu').fill(temporary);
    await resident.getByRole('button', { name: 'Đăng nhập' }).click();
    await resident.getByText('Mật khẩu của bạn vừa được đặt lại.', { exact: false }).waitFor();
    expect(new URL(resident.url()).pathname).toBe('/account');
    // Another page sends the resident back, keeping where they wanted to go.
    await resident.goto(`${server.url}/me`);
    await resident.waitForURL(/\/account\?next=%2Fme$/);
    await resident.getByRole('heading', { name: 'Đổi mật khẩu' }).waitFor();
    expect(await resident.getByRole('link', { name: 'Bài thi của tôi' }).count()).toBe(0);
    expect(await seriousA11yViolations(resident)).toEqual([]);

    await resident.getByLabel('Mật khẩu tạm thời').fill('sai-mat-khau-tam');
    await resident.getByLabel('Mật khẩu mới', { exact: true }).fill(newPassword);
    await resident.getByLabel('Nhập lại mật khẩu mới').fill(newPassword);
    await resident.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await resident.getByText('Mật khẩu hiện tại không đúng.').waitFor();

    await resident.getByLabel('Mật khẩu tạm thời').fill(temporary);
    await resident.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    // Logged in again with the new password for the resident, and on to the page they asked for.
    await resident.getByRole('heading', { name: 'Bài thi của tôi' }).waitFor();
    await resident.getByText('Bạn chưa làm bài thi nào.').waitFor();
    expect(await resident.evaluate(() => JSON.parse(localStorage.getItem('ttt.user') ?? '{}').mustChangePassword)).toBeUndefined();
  });

  it('shows a resident when the answer key of an open round opens', async () => {
    await resident.goto(`${server.url}/c/${contestSlug}/rounds/${openRoundId}`);
    await resident.getByText(/Đáp án sẽ được công bố lúc \d{2}:\d{2}/).waitFor();
    expect(await seriousA11yViolations(resident)).toEqual([]);
  });

  it('a locked account is sent to the login page with a message, and cannot log in', async () => {
    const card = admin.locator('li.card', { hasText: 'Phạm Thị Dân' });
    admin.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Khoá', exact: true }).click();
    await admin.getByText('Đã khoá tài khoản Phạm Thị Dân.').waitFor();
    await card.getByText('Đã khoá', { exact: true }).waitFor();

    // Revocation reaches every process within 5 s: reload until the session is refused.
    await untilRevoked(resident, '/me');
    expect(new URL(resident.url()).pathname).toBe('/login');
    await resident.getByLabel('Số điện thoại').fill(residentPhone);
    await resident.getByLabel('Mật khẩu').fill(newPassword);
    await resident.getByRole('button', { name: 'Đăng nhập' }).click();
    await resident.getByText('Tài khoản đã bị khoá.', { exact: false }).waitFor();
    expect(await seriousA11yViolations(resident)).toEqual([]);
    for (const e of errors.slice(2)) expectNoPageErrors(e.filter((m) => !/401|403/.test(m)));
  });
});

describe('a phone number locked after wrong passwords (phone)', { timeout: 60_000 }, () => {
  it('says the login is locked for wrong passwords and for how long, in seconds then minutes, with focus on the message', async () => {
    const phone = '0907999000';
    await makeResident(server.ctx.database.db, { phone });
    const wrong = () =>
      fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone, password: 'sai-mat-khau' }),
      }).then((r) => r.status);
    for (let i = 0; i < 5; i++) expect(await wrong()).toBe(401);
    const page = await open('phone');
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Số điện thoại').fill(phone);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    const press = async () => {
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByRole('button', { name: 'Đăng nhập' }).and(page.locator(':enabled')).waitFor();
    };
    await press();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/^Bạn đã nhập sai mật khẩu quá nhiều lần\. Vui lòng thử lại sau ([12]\d|30) giây\./);
    // Not left on <body> by the button disabled while waiting: on the message.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-error');

    // Locked longer (the wait doubles up to 15 minutes): said in minutes.
    await server.ctx.database.db
      .update(loginFailures)
      .set({ blockedUntil: new Date(Date.now() + 15 * 60_000) })
      .where(eq(loginFailures.phone, phone));
    await press();
    await expect.poll(() => alert.textContent()).toMatch(/Vui lòng thử lại sau 15 phút\./);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-error');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expectNoPageErrors(errors.at(-1)!.filter((m) => !/429/.test(m)));
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpOutbox, users } from '../../db/schema/index';
import { makeNationalId } from '../../server/src/lib/identity';
import { HttpSender } from '../../server/src/modules/otp/index';
import { makeResident, PASSWORD } from '../helpers/factories';
import { seriousA11yViolations } from './support/browser';
import { startWebServer, type WebServer } from './support/server';
import { expectNoPageErrors, useBrowser } from './support/session';

// One-time codes in the browser, sent through a real local HTTP gateway: a resident who forgot
// the password asks for a code, reads it from the SMS, sets a new password and is signed in;
// a wrong code and asking again too soon are explained; registration with REGISTRATION_OTP on
// needs the code sent to the phone; a server that cannot send codes points to the help desk.
interface GatewayMessage {
  phone: string;
  message: string;
  purpose: string;
  authorization?: string;
}

let gateway: Server;
const sms: GatewayMessage[] = [];
let server: WebServer;
let noSmsServer: WebServer;
const browser = useBrowser();
const errors = browser.errors;
const residentPhone = '0916222333';
const newPassword = 'mat-khau-moi-9';
const newcomerPhone = '0916444555';

async function startGateway(): Promise<string> {
  gateway = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      sms.push({ ...(JSON.parse(body) as GatewayMessage), authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
}

/** The code in the last text the gateway received for `phone` (waits for it: it goes out after the 202). */
async function codeSentTo(phone: string, purpose: 'reset' | 'register'): Promise<string> {
  await expect.poll(() => sms.filter((m) => m.phone === phone && m.purpose === purpose).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const last = sms.filter((m) => m.phone === phone && m.purpose === purpose).at(-1)!;
  expect(last.authorization).toBe('Bearer gateway-token');
  const code = /\b(\d{6})\b/.exec(last.message)?.[1];
  expect(code, last.message).toBeDefined();
  return code!;
}

const tryLogin = (password: string) =>
  fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: residentPhone, password }),
  }).then((r) => r.status);

/** A six-digit code that is not `code`. */
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

const open = () => browser.open('phone');

beforeAll(async () => {
  const url = await startGateway();
  server = await startWebServer({ otp: { sender: new HttpSender(url, 'gateway-token'), pollMs: 100, registration: true } });
  noSmsServer = await startWebServer();
  await makeResident(server.ctx.database.db, { phone: residentPhone, fullName: 'Nguyễn Văn Quên' });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await noSmsServer?.close();
  await new Promise((r) => gateway?.close(r));
});

describe('a forgotten password (phone, 360 px)', { timeout: 120_000 }, () => {
  let page: Page;
  let code = '';

  it('leads from the login page to a code sent to the phone', async () => {
    page = await open();
    // Fake timers that still run in real time: the resend countdown can be skipped below.
    await page.clock.install();
    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Quên mật khẩu?' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Quên mật khẩu?' }).click();
    await page.getByRole('heading', { name: 'Quên mật khẩu' }).waitFor();
    await page.getByRole('heading', { name: 'Bước 1/2: Số điện thoại' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await page.getByLabel('Số điện thoại').fill('0916 222 333');
    await page.getByRole('button', { name: 'Gửi mã' }).click();
    await page.getByText('Nếu số điện thoại đã đăng ký, mã xác thực sẽ được gửi trong giây lát').waitFor();
    await page.getByText('Số điện thoại: 0916222333').waitFor();
    const codeField = page.getByLabel('Mã xác thực');
    expect(await codeField.evaluate((el) => [document.activeElement === el, el.getAttribute('inputmode'), el.getAttribute('autocomplete')])).toEqual([
      true,
      'numeric',
      'one-time-code',
    ]);
    expect(await page.getByRole('button', { name: /^Gửi lại mã sau (1:00|0:5\d)$/ }).isDisabled()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('answers a number with no account in the same words, and sends it nothing', async () => {
    const other = await open();
    await other.goto(`${server.url}/forgot`);
    await other.getByLabel('Số điện thoại').fill('0916999000');
    await other.getByRole('button', { name: 'Gửi mã' }).click();
    await other.getByText('Nếu số điện thoại đã đăng ký, mã xác thực sẽ được gửi trong giây lát').waitFor();
    await other.getByText('Số điện thoại: 0916999000').waitFor();
    code = await codeSentTo(residentPhone, 'reset');
    // The resident's text arrived through the same outbox; nothing was queued for the stranger
    // (so nothing can go out later), and nothing went out.
    const queued = await server.ctx.database.db.select({ phone: otpOutbox.phone }).from(otpOutbox);
    expect(new Set(queued.map((m) => m.phone))).toEqual(new Set([residentPhone]));
    expect(sms.filter((m) => m.phone === '0916999000')).toEqual([]);
  });

  it('says a wrong code is wrong on the code field, and that asking again a minute later is too soon for the server', async () => {
    await page.getByLabel('Mã xác thực').fill(wrongCode(code));
    await page.getByLabel('Mật khẩu mới', { exact: true }).fill(newPassword);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(newPassword);
    await page.getByRole('button', { name: 'Đặt lại mật khẩu' }).click();
    await page.getByText('Mã không đúng hoặc đã hết hạn').waitFor();
    expect(await page.getByLabel('Mã xác thực').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The password did not change.
    expect(await tryLogin(PASSWORD)).toBe(200);

    // The browser's minute passes at once; the server's has not: its Retry-After starts a new countdown.
    await page.clock.fastForward(61_000);
    const resend = page.getByRole('button', { name: 'Gửi lại mã', exact: true });
    await resend.waitFor();
    await resend.click();
    await page.getByText(/Đã gửi quá nhiều mã cho số điện thoại này .* Vui lòng thử lại sau \d+ giây\./).waitFor();
    expect(await page.getByRole('button', { name: /^Gửi lại mã sau 0:\d\d$/ }).isDisabled()).toBe(true);
    expect(sms.filter((m) => m.phone === residentPhone)).toHaveLength(1);
  });

  it('sets the new password with the code from the text message and signs the resident in', async () => {
    await page.getByLabel('Mã xác thực').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByRole('button', { name: 'Đặt lại mật khẩu' }).click();
    await page.getByRole('button', { name: 'Đăng xuất' }).waitFor({ timeout: 30_000 });
    // Signed in first, then sent on: wait for the navigation rather than racing it.
    await page.waitForURL((u) => u.pathname === '/', { timeout: 10_000 });
    expect(await page.evaluate(() => (JSON.parse(localStorage.getItem('ttt.user') ?? 'null') as { fullName?: string } | null)?.fullName)).toBe(
      'Nguyễn Văn Quên',
    );
    expect(await tryLogin(newPassword)).toBe(200);
    expect(await tryLogin(PASSWORD)).toBe(401);
    expectNoPageErrors(errors[0]);
  });
});

describe('registration that proves the phone (REGISTRATION_OTP=on, phone)', { timeout: 120_000 }, () => {
  let page: Page;

  it('asks for the code sent to the phone before registering', async () => {
    page = await open();
    await page.goto(`${server.url}/register`);
    await page.getByRole('button', { name: 'Gửi mã xác thực' }).waitFor();
    await page.getByLabel('Họ và tên').fill('Lê Thị Mới');
    await page.getByLabel('Số điện thoại').fill(newcomerPhone);
    await page.getByLabel('Số CCCD').fill(makeNationalId(1990, 5151));
    await page.getByLabel('Năm sinh').fill('1990');
    await page.getByLabel('Mật khẩu', { exact: true }).fill('mat-khau-manh-2');
    await page.getByLabel('Nhập lại mật khẩu').fill('mat-khau-manh-2');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByText('Vui lòng nhập mã xác thực đã gửi tới số điện thoại của bạn.').waitFor();
    expect(await page.getByLabel('Mã xác thực').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('sends the code, refuses a wrong one on the code field, and registers with the right one', async () => {
    await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
    await page.getByText(`Mã xác thực sẽ được gửi tới số ${newcomerPhone} trong giây lát`).waitFor();
    expect(await page.getByRole('button', { name: /^Gửi lại mã sau/ }).isDisabled()).toBe(true);
    const code = await codeSentTo(newcomerPhone, 'register');

    await page.getByLabel('Mã xác thực').fill(wrongCode(code));
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByText('Mã không đúng hoặc đã hết hạn').waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Mã xác thực').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await server.ctx.database.db.select().from(users).where(eq(users.phone, newcomerPhone))).toHaveLength(0);

    await page.getByLabel('Mã xác thực').fill(code);
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByRole('button', { name: 'Đăng xuất' }).waitFor({ timeout: 30_000 });
    const [u] = await server.ctx.database.db.select().from(users).where(eq(users.phone, newcomerPhone));
    expect(u).toMatchObject({ fullName: 'Lê Thị Mới', role: 'resident' });
    expectNoPageErrors(errors.at(-1)!);
  });
});

describe('a server that cannot send codes', { timeout: 60_000 }, () => {
  it('sends the resident to the help desk instead of asking for a phone, and registration needs no code', async () => {
    const page = await open();
    await page.goto(`${noSmsServer.url}/login`);
    await page.getByRole('link', { name: 'Quên mật khẩu?' }).click();
    await page.getByText(/gọi bộ phận hỗ trợ hoặc liên hệ Ban Tổ chức/).waitFor();
    expect(await page.getByLabel('Số điện thoại').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${noSmsServer.url}/register`);
    await page.getByLabel('Họ và tên').waitFor();
    // The options have answered once the page could have shown the code field.
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/v1/auth/options')))).toBe(true);
    expect(await page.getByLabel('Mã xác thực').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Gửi mã xác thực' }).count()).toBe(0);
    expectNoPageErrors(errors.at(-1)!);
  });
});

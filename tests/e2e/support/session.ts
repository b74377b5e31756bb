import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser, watchErrors } from './browser';

/** Signs in through the login page, as a person would. */
export async function loginThroughUi(page: Page, baseUrl: string, phone: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Số điện thoại').fill(phone);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

/** Fills the fields with these labels, in this order, as a person would. */
export async function fillByLabel(page: Page, fields: [label: string, value: string][]) {
  for (const [label, value] of fields) await page.getByLabel(label).fill(value);
}

/** Presses `button` of a dialog that needs a reason: without one it must say `required`; then again with the reason in its field. */
export async function pressNeedingReason(dialog: Locator, button: string, required: string, [label, reason]: [label: string, reason: string]) {
  await dialog.getByRole('button', { name: button }).click();
  await dialog.getByText(required).waitFor();
  await dialog.getByLabel(label).fill(reason);
  await dialog.getByRole('button', { name: button }).click();
}

/** A fresh context with a phone-sized or desktop-sized window. */
export async function newContext(browser: import('playwright-core').Browser, size: 'phone' | 'desktop'): Promise<BrowserContext> {
  const viewport = size === 'phone' ? { width: 360, height: 740 } : { width: 1280, height: 800 };
  return browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true });
}

/** Signs a context in as the web app does after a login: the token and the user in localStorage. */
export async function signedIn(context: BrowserContext, token: string, user: { id: string; fullName: string; phone: string; role: string }) {
  await context.addInitScript(
    ([tk, u]) => {
      localStorage.setItem('ttt.token', tk);
      localStorage.setItem('ttt.user', u);
    },
    [token, JSON.stringify({ id: user.id, fullName: user.fullName, phone: user.phone, role: user.role })] as const,
  );
}

export function expectNoPageErrors(errors: string[]) {
  expect(errors, errors.join('\n')).toEqual([]);
}

/** The browser of a test file: launched before its tests, closed after them with every context it opened. */
export interface FileBrowser {
  /** A fresh context of that size. */
  context(size: 'phone' | 'desktop'): Promise<BrowserContext>;
  /** A page in a fresh context of that size; its errors are collected in `errors`. */
  open(size: 'phone' | 'desktop'): Promise<Page>;
  /** The errors of each page open() gave, in the order they were opened. */
  errors: string[][];
}

export function useBrowser(): FileBrowser {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const files: FileBrowser = {
    errors: [],
    async context(size) {
      const made = await newContext(browser!, size);
      contexts.push(made);
      return made;
    },
    async open(size) {
      const page = await (await files.context(size)).newPage();
      files.errors.push(watchErrors(page));
      return page;
    },
  };
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
  });
  return files;
}

import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Signs in through the login page, as a person would. */
export async function loginThroughUi(page: Page, baseUrl: string, phone: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Số điện thoại').fill(phone);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

/** A fresh context with a phone-sized or desktop-sized window. */
export async function newContext(browser: import('playwright-core').Browser, size: 'phone' | 'desktop'): Promise<BrowserContext> {
  const viewport = size === 'phone' ? { width: 360, height: 740 } : { width: 1280, height: 800 };
  return browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true });
}

export function expectNoPageErrors(errors: string[]) {
  expect(errors, errors.join('\n')).toEqual([]);
}

// Saves PNGs of the key pages at phone (360x740) and desktop (1280x800) sizes into screenshots/,
// so the look can be reviewed without clicking through. Starts its own embedded server (PGlite,
// demo contest) unless BASE_URL points at a running one.
//   npm run screenshots            BASE_URL=http://localhost:3000 npm run screenshots
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createDatabase, migrateDatabase } from '../db/client';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG, seedDemo } from '../db/seed';
import { buildApp } from '../server/src/app';
import { launchBrowser } from '../tests/e2e/support/browser';
import { ensureWebBuild, repoRoot } from '../tests/e2e/support/web-build';

const OUT = join(repoRoot, 'screenshots');
const SIZES = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

async function startEmbedded() {
  const webRoot = await ensureWebBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'ttt-shots-'));
  const database = await createDatabase({ dataDir, max: 1 });
  await migrateDatabase(database);
  await seedDemo(database.db);
  const app = await buildApp({
    config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined },
    database,
    redis: null,
    jwtSecret: randomBytes(32).toString('hex'),
    logger: false,
    webRoot,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Auth {
  token: string;
  user: unknown;
}

async function signedIn(context: BrowserContext, auth: Auth | null, locale: 'vi' | 'en') {
  await context.addInitScript(
    ([a, l]) => {
      localStorage.setItem('ttt.locale', l as string);
      if (a) {
        localStorage.setItem('ttt.token', (a as Auth).token);
        localStorage.setItem('ttt.user', JSON.stringify((a as Auth).user));
      }
    },
    [auth, locale] as const,
  );
}

async function shoot(page: Page, name: string, size: string, firstScreen = false) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(300);
  const file = join(OUT, `${name}-${size}.png`);
  // FULL_PAGE=0 keeps to the first screen, handy for long pages.
  await page.screenshot({ path: file, fullPage: !firstScreen && process.env.FULL_PAGE !== '0' });
  console.log(`  ${file.slice(repoRoot.length)}`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = process.env.BASE_URL ? { url: process.env.BASE_URL.replace(/\/$/, ''), close: async () => {} } : await startEmbedded();
  const browser = await launchBrowser();
  try {
    const base = server.url;
    const login = (role: string) =>
      api<Auth>(base, 'POST', '/auth/login', { phone: DEMO_ACCOUNTS.find((a) => a.role === role)!.phone, password: DEMO_PASSWORD });
    const [resident, organizer, judge] = [await login('resident'), await login('organizer'), await login('judge')];
    const contest = await api<{ id: string; rounds: { id: string; number: number; status: string }[] }>(base, 'GET', `/contests/${DEMO_SLUG}`);
    const open = contest.rounds.find((r) => r.status === 'open') ?? contest.rounds[0];

    type Shot = { name: string; path: string; auth: Auth | null; locale?: 'vi' | 'en'; after?: (p: Page) => Promise<void>; firstScreen?: boolean };
    const toQuestion = async (p: Page) => {
      const start = p.getByRole('button', { name: /Bắt đầu|Start/ });
      if (await start.isVisible().catch(() => false)) await start.click();
      await p.locator('.option').first().waitFor({ timeout: 10_000 });
    };
    const toReview = async (p: Page) => {
      await toQuestion(p);
      for (let i = 0; i < 20; i++) {
        if (
          !(await p
            .locator('.option')
            .first()
            .isVisible()
            .catch(() => false))
        )
          break;
        await p
          .locator('.option')
          .nth(i % 3)
          .click();
        await p.getByRole('button', { name: /Câu sau|Sang câu dự đoán/ }).click();
      }
      await p.locator('#prediction').fill('1234');
      await p.getByRole('button', { name: /Xem lại bài/ }).click();
      await p.getByRole('button', { name: 'Nộp bài', exact: true }).waitFor();
    };
    const before: Shot[] = [
      { name: 'home', path: '/', auth: null },
      { name: 'home-en', path: '/', auth: null, locale: 'en' },
      { name: 'register', path: '/register', auth: null },
      {
        name: 'register-errors',
        path: '/register',
        auth: null,
        after: async (p) => {
          await p.fill('#reg-phone', '12345');
          await p.fill('#reg-nationalId', '0380900');
          await p.fill('#reg-password', 'abc');
          await p.click('button[type=submit]');
        },
      },
      { name: 'login', path: '/login', auth: null },
      { name: 'play-intro', path: `/c/${DEMO_SLUG}/play/${open.id}`, auth: resident },
      {
        name: 'play-question',
        path: `/c/${DEMO_SLUG}/play/${open.id}`,
        auth: resident,
        after: async (p) => (await toQuestion(p), await p.locator('.option').nth(1).click()),
      },
      { name: 'play-review', path: `/c/${DEMO_SLUG}/play/${open.id}`, auth: resident, after: toReview },
      {
        name: 'play-result',
        path: `/c/${DEMO_SLUG}/play/${open.id}`,
        auth: resident,
        after: async (p) => {
          await toReview(p);
          await p.getByRole('button', { name: 'Nộp bài', exact: true }).click();
          await p.getByText('Bài thi đã được ghi nhận.').waitFor();
        },
      },
      { name: 'me', path: '/me', auth: resident },
      { name: 'admin-questions', path: `/admin/${DEMO_SLUG}`, auth: organizer },
      {
        name: 'admin-question-editor',
        path: `/admin/${DEMO_SLUG}`,
        auth: organizer,
        firstScreen: true,
        after: async (p) => p.getByRole('button', { name: 'Thêm câu hỏi' }).click(),
      },
      { name: 'admin-rounds', path: `/admin/${DEMO_SLUG}/rounds`, auth: organizer },
      { name: 'admin-round', path: `/admin/${DEMO_SLUG}/rounds/${open.id}`, auth: organizer },
      { name: 'admin-live', path: `/admin/${DEMO_SLUG}/live`, auth: organizer },
      { name: 'admin-exclusions', path: `/admin/${DEMO_SLUG}/exclusions`, auth: organizer },
      { name: 'admin-settings', path: `/admin/${DEMO_SLUG}/settings`, auth: organizer },
      { name: 'judge-rounds', path: `/judge/${DEMO_SLUG}`, auth: judge },
    ];
    const after: Shot[] = [
      { name: 'judge-round', path: `/judge/${DEMO_SLUG}/rounds/${open.id}`, auth: judge },
      { name: 'public-results', path: `/c/${DEMO_SLUG}/rounds/${open.id}`, auth: null },
      { name: 'home-after', path: '/', auth: null },
    ];

    const only = process.argv.slice(2);
    const run = async (shots: Shot[]) => {
      for (const size of SIZES) {
        console.log(`${size.name} ${size.width}x${size.height}`);
        for (const p of shots) {
          if (only.length && !only.includes(p.name)) continue;
          const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: 1 });
          await signedIn(context, p.auth, p.locale ?? 'vi');
          const page = await context.newPage();
          await page.goto(base + p.path);
          await page.waitForLoadState('networkidle').catch(() => {});
          try {
            if (p.after) await p.after(page);
          } catch (err) {
            console.warn(`  ${p.name}: ${(err as Error).message.split('\n')[0]}`);
          }
          await shoot(page, p.name, size.name, p.firstScreen);
          await context.close();
        }
      }
    };
    await run(before);
    if (!process.env.BASE_URL) {
      // Close the open round early, then finalize and publish it, for the judge and results pages.
      await api(base, 'PATCH', `/admin/rounds/${open.id}`, { closesAt: new Date().toISOString() }, organizer.token);
      await new Promise((r) => setTimeout(r, 100));
      await api(base, 'POST', `/judge/rounds/${open.id}/finalize`, undefined, judge.token);
      await api(base, 'POST', `/judge/rounds/${open.id}/publish`, undefined, judge.token);
      await run(after);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();

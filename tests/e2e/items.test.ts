import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Question } from '../../db/schema/index';
import { addMember, makeContest, makeResident, makeStaff, PASSWORD, tokenFor } from '../helpers/factories';
import { makeClosedRound, makeSubmission } from '../helpers/results-factories';
import { scoreOf } from '../helpers/grading';
import { finalize } from '../helpers/requests';
import { seriousA11yViolations } from './support/browser';
import { useWebServer } from './support/server';
import { expectNoPageErrors, loginThroughUi, pressNeedingReason, useBrowser } from './support/session';

// A judge before signing: the round view warns about a likely miskeyed question, the item
// analysis shows it first, the judge previews the correction (scores and prizes that
// change), applies it, and the results must be finalized again.
const server = useWebServer();
const browser = useBrowser();
let page: Page;
let url = '';
let miskeyed: Question;
const judgePhone = '0903444777';

beforeAll(async () => {
  const { app, database } = server.ctx;
  const db = database.db;
  const contest = await makeContest(db, { title: 'Cuộc thi phân tích' });
  const { round, pool } = await makeClosedRound(db, contest.id, { number: 1, title: 'Tuần 1', questionCount: 5, prizes: [{ name: 'Giải Nhất', count: 1 }] }, 5);
  miskeyed = pool[0];
  const keyOf = (q: Question) => q.options.find((o) => o.correct)!.id;
  const wrong = (q: Question, n: number) => q.options.filter((o) => !o.correct)[n].id;
  const thresholds = [0, 8, 12, 16, 20];
  // 40 residents of rising strength; the strong half choose pool[0]'s true answer, which the key marks wrong.
  for (let i = 0; i < 40; i++) {
    const answers = pool.map((q, j) => ({
      questionId: q.id,
      optionId: j === 0 ? (i >= 20 ? wrong(q, 0) : keyOf(q)) : i >= thresholds[j] ? keyOf(q) : wrong(q, i % 3),
    }));
    const user = await makeResident(db, { fullName: `Người dự thi ${i}` });
    await makeSubmission(db, round, user.id, { score: scoreOf(pool, answers), total: 5, answers, questionIds: pool.map((q) => q.id), prediction: i });
  }
  const judge = await makeStaff(db, 'judge', { phone: judgePhone });
  await addMember(db, contest.id, judge);
  expect((await finalize(app, round.id, tokenFor(app, judge))).statusCode).toBe(200);
  url = `${server.url}/judge/${contest.slug}/rounds/${round.id}`;

  page = await browser.open('desktop');
}, 300_000);

describe('item analysis in the judge view (desktop)', { timeout: 120_000 }, () => {
  it('warns about the unreviewed likely miskeyed question and lists it first', async () => {
    await loginThroughUi(page, server.url, judgePhone, PASSWORD);
    await page.goto(url);
    await page.getByText('Có 1 câu hỏi có thể sai đáp án mà chưa ai xem xét', { exact: false }).waitFor();
    await page.getByRole('heading', { name: 'Phân tích câu hỏi' }).waitFor();
    const first = page.locator('section[aria-labelledby="ia-h"] tbody tr').first();
    expect(await first.textContent()).toContain(miskeyed.text);
    expect(await first.textContent()).toContain('Có thể sai đáp án');
    // Sorting by facility puts the hardest first.
    await page.getByRole('button', { name: /Độ dễ/ }).click();
    expect(await page.locator('section[aria-labelledby="ia-h"] thead th[aria-sort="ascending"]').count()).toBe(1);
    // The option bars open under the question.
    await page.getByRole('button', { name: miskeyed.text }).click();
    await page.getByText('Mỗi nhóm (điểm cao, điểm thấp): 10 bài', { exact: false }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('previews the correction, applies it, and asks to finalize again', async () => {
    const row = page.locator('section[aria-labelledby="ia-h"] tbody tr', { hasText: miskeyed.text }).first();
    await row.getByRole('button', { name: 'Sửa đáp án' }).click();
    const dialog = page.getByRole('dialog');
    await pressNeedingReason(dialog, 'Xem trước thay đổi', 'Hãy nhập lý do.', ['Lý do (ghi vào nhật ký)', 'Đáp án đúng là phương án B']);
    await dialog.getByText('Chấm lại 40 bài thi có câu này: 40 bài đổi điểm', { exact: false }).waitFor();
    await dialog.getByText('2 người thay đổi giải', { exact: false }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Xác nhận sửa và chấm lại' }).click();
    await page.getByText('Đã sửa và chấm lại 40 bài thi (40 bài đổi điểm)', { exact: false }).waitFor();
    await page.getByText('Dữ liệu đã thay đổi sau lần chấm gần nhất', { exact: false }).waitFor();
    await expect.poll(() => page.getByText('câu hỏi có thể sai đáp án mà chưa ai xem xét', { exact: false }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Công bố kết quả' }).isDisabled()).toBe(true);
    expectNoPageErrors(browser.errors[0]);
  });
});

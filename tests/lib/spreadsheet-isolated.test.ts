import { strToU8, zipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { csvText } from '../fixtures/sheets';

// Which uploads readSheet hands to the spreadsheet worker: every workbook (its zip vetted there
// too) and every CSV above 64 KB; a small CSV is read at once. startWorker is watched, not replaced.
// One test has the next worker be one whose parse throws something else than a SheetError.
const started = vi.hoisted(() => [] as string[]);
const failNext = vi.hoisted(() => ({ on: false }));
vi.mock('../../server/src/lib/worker-thread', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/src/lib/worker-thread')>();
  const { Worker } = await import('node:worker_threads');
  return {
    startWorker: (...args: Parameters<typeof real.startWorker>) => {
      started.push(args[0]);
      if (failNext.on) {
        failNext.on = false;
        return new Worker(`require('node:worker_threads').parentPort.postMessage({ failed: 'TypeError\\n    at cellText (spreadsheet.xlsx.ts:58:7)' })`, {
          eval: true,
        });
      }
      return real.startWorker(...args);
    },
  };
});

const { readSheet, SheetError } = await import('../../server/src/lib/spreadsheet');
const { parseSheet } = await import('../../server/src/lib/spreadsheet.parse');
const { readUploadedSheet } = await import('../../server/src/lib/upload');
const { AppError } = await import('../../server/src/lib/errors');

const rows = (n: number) => [
  ['Họ tên', 'Số CCCD', 'Ghi chú'],
  ...Array.from({ length: n }, (_, i) => [`Nguyễn Văn ${i}`, String(1e11 + i), i % 7 ? '' : "'=1+1"]),
];

describe('readSheet and the spreadsheet worker', () => {
  it('reads a small CSV on this thread', async () => {
    started.length = 0;
    const buf = Buffer.from(csvText(rows(20)));
    expect(buf.length).toBeLessThan(64 * 1024);
    const sheet = await readSheet(buf);
    expect(sheet.rows).toHaveLength(21);
    expect(started).toEqual([]);
  });

  it('reads a larger CSV on the worker, to the same rows', async () => {
    started.length = 0;
    const buf = Buffer.from(csvText(rows(5_000)));
    expect(buf.length).toBeGreaterThan(64 * 1024);
    const sheet = await readSheet(buf, { maxRows: 10_000 });
    expect(started).toEqual(['spreadsheet-worker']);
    expect(sheet).toEqual(await parseSheet(buf, { maxRows: 10_000 }));
    expect(sheet.rows).toHaveLength(5_001);
    // The row cap is checked there too.
    const err = await readSheet(buf, { maxRows: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetError);
    expect((err as InstanceType<typeof SheetError>).messageEn).toMatch(/5000 data rows, more than the limit of 100/);
  });

  it('vets a workbook on the worker: a zip bomb whose directory lies is refused there, one that declares its size at once', async () => {
    const entries = { '[Content_Types].xml': new Uint8Array(5_000_000), 'xl/workbook.xml': strToU8('<x/>') };
    const honest = Buffer.from(zipSync(entries, { level: 9 }));
    const lying = Buffer.from(honest);
    // Every entry claims 100 bytes, in its local header and in the central directory.
    for (let i = 0; i + 4 <= lying.length; i++) {
      const sig = lying.readUInt32LE(i);
      if (sig === 0x04034b50) lying.writeUInt32LE(100, i + 22);
      if (sig === 0x02014b50) lying.writeUInt32LE(100, i + 24);
    }
    for (const [bomb, workers] of [
      [honest, []],
      [lying, ['spreadsheet-worker']],
    ] as const) {
      started.length = 0;
      const err = await readSheet(bomb, { maxUnzippedBytes: 1_000_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SheetError);
      expect((err as InstanceType<typeof SheetError>).messageEn).toMatch(/too large once unpacked/);
      expect(started).toEqual(workers);
    }
  });

  it('answers a parse that failed in an unforeseen way as the file unreadable (400), the failure kept as its cause for the log', async () => {
    failNext.on = true;
    const buf = Buffer.from(csvText(rows(5_000)));
    const err = await readUploadedSheet({ buffer: buf, filename: 'ds.csv' }, 10_000, ['Họ tên']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const app = err as InstanceType<typeof AppError>;
    expect([app.statusCode, app.code]).toEqual([400, 'INVALID_FILE']);
    expect(app.message).toMatch(/could not be read: open it in Excel/);
    expect(String((app.cause as Error).message)).toMatch(/^TypeError\n {4}at cellText/);
    // The next file is read as usual.
    expect((await readSheet(buf, { maxRows: 10_000 })).rows).toHaveLength(5_001);
  });
});

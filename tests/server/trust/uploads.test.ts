import { count, eq } from 'drizzle-orm';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { questions } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { makeContest } from '../../helpers/factories';
import { uploadFile } from '../../helpers/requests';

const t = useTestApp();
let organizer: string;
beforeAll(async () => (organizer = await memberToken(t, 'organizer')));

const upload = (contestId: string, file: Buffer, name: string) => uploadFile(t.app, `/admin/contests/${contestId}/questions/import`, organizer, file, name);
const bankSize = async (contestId: string) => (await t.database.db.select({ n: count() }).from(questions).where(eq(questions.contestId, contestId)))[0].n;

describe('question import: files that are not what they claim', () => {
  it('answers a zip that lies about its sizes with 400 INVALID_FILE (never inflating it whole)', async () => {
    const c = await makeContest(t.database.db);
    // 100 MB of zeros deflate to ~100 KB; the headers claim 100 bytes per entry.
    const buf = Buffer.from(zipSync({ '[Content_Types].xml': new Uint8Array(100 * 1024 * 1024) }, { level: 9 }));
    for (let i = 0; i + 4 <= buf.length; i++) {
      if (buf.readUInt32LE(i) === 0x04034b50) buf.writeUInt32LE(100, i + 22);
      if (buf.readUInt32LE(i) === 0x02014b50) buf.writeUInt32LE(100, i + 24);
    }
    const before = process.memoryUsage().rss;
    const res = await upload(c.id, buf, 'bom.xlsx');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_FILE');
    expect(res.json().message).toMatch(/too large once unpacked/);
    // The zip is inflated on the spreadsheet worker, up to the 64 MB cap; the worker's own
    // start (a V8 isolate, its modules, exceljs) counts in this process's RSS as well (measured
    // 100–165 MB in all). Inflated whole, its 100 MB and their joined copy would add 200 MB to that start.
    expect(process.memoryUsage().rss - before).toBeLessThan(220 * 1024 * 1024);
    expect(await bankSize(c.id)).toBe(0);
  });

  it('answers an .ods with 400 saying to save it as .xlsx or .csv, and a damaged .xlsx as unreadable', async () => {
    const c = await makeContest(t.database.db);
    const ods = Buffer.from(zipSync({ mimetype: strToU8('application/vnd.oasis.opendocument.spreadsheet'), 'content.xml': strToU8('<x/>') }, { level: 0 }));
    const a = await upload(c.id, ods, 'cau-hoi.ods');
    expect(a.statusCode).toBe(400);
    expect(a.json().message).toMatch(/\.xlsx or \.csv/);
    const b = await upload(c.id, Buffer.from('this is not a workbook at all'), 'cau-hoi.xlsx');
    expect(b.statusCode).toBe(400);
    expect(b.json()).toMatchObject({ code: 'INVALID_FILE' });
    expect(b.json().message).toMatch(/not a readable workbook/);
    expect(await bankSize(c.id)).toBe(0);
  });
});

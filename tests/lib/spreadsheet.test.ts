import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { createRequire } from 'node:module';
import {
  cleanCell,
  decodeText,
  detectDelimiter,
  guardFormula,
  mergedCells,
  readSheet,
  readXlsx,
  SheetError,
  unguardFormula,
  unzipCapped,
  writeCsv,
  writeXlsx,
  zipUncompressedSize,
} from '../../server/src/lib/spreadsheet';
import { QUESTION_HEADER_NAMES, QUESTION_HEADERS } from '../../server/src/lib/question-sheet';
import { csvText, semicolonCsv, toCp1258, utf8Bom, xlsxBuilt, xlsxOf } from '../fixtures/sheets';

/** exceljs's Row (not exported by the package's entry): its getCell makes a cell where there is none. */
const ExcelRow = createRequire(import.meta.url)('exceljs/lib/doc/row.js') as { prototype: { getCell: (col: number) => unknown } };

const VI = 'Chuyển đổi số là gì? Người dân, Ủy ban, Hướng dẫn, Đắk Lắk';

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeText(utf8Bom(VI))).toEqual({ text: VI, encoding: 'utf-8' });
    expect(decodeText(Buffer.from(VI, 'utf8'))).toEqual({ text: VI, encoding: 'utf-8' });
  });

  it('reads Windows-1258 with combining tone marks as NFC', () => {
    const buf = toCp1258(VI);
    expect(buf.includes(Buffer.from(VI, 'utf8'))).toBe(false);
    const out = decodeText(buf);
    expect(out.encoding).toBe('windows-1258');
    expect(out.text).toBe(VI);
    expect(out.text).toBe(out.text.normalize('NFC'));
  });

  it('reads UTF-16 LE with a BOM (Excel "Unicode text")', () => {
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VI, 'utf16le')]);
    expect(decodeText(buf)).toEqual({ text: VI, encoding: 'utf-16le' });
  });

  it('turns decomposed UTF-8 into NFC', () => {
    expect(decodeText(Buffer.from(VI.normalize('NFD'), 'utf8')).text).toBe(VI);
  });
});

describe('cleanCell', () => {
  it('drops control characters and keeps line breaks and tabs', () => {
    expect(cleanCell(' a\u0000b\u0007c\r\nd\te\u00a0')).toBe('abc\nd\te');
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter outside quotes', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('"x,y,z";b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
  });

  // As Vietnamese Excel writes it (the tester's q-semicolon-many-commas.csv): ';' between
  // cells, and more commas inside them (decimals, lists) than there are semicolons.
  const commaRich = (n: number) =>
    semicolonCsv([
      [...QUESTION_HEADERS],
      ...Array.from({ length: n }, (_, i) => [
        `Câu ${i + 1}: Những dịch vụ nào, trong số khai sinh, khai tử, kết hôn, thường trú, tạm trú, lý lịch tư pháp, là dịch vụ công?`,
        '1,5',
        '2,5',
        '3,5',
        i % 2 ? '' : '4,5',
        'A',
        'Dịch vụ công, hành chính',
        'Theo Nghị định 42/2022, điều 3, khoản 1, điểm a, b',
      ]),
    ]);

  it('takes the delimiter that splits a row into the columns the caller knows', () => {
    expect(detectDelimiter(commaRich(12), QUESTION_HEADER_NAMES)).toBe(';');
    expect(detectDelimiter('NGÂN HÀNG CÂU HỎI, TUẦN 1\r\n' + commaRich(3), QUESTION_HEADER_NAMES)).toBe(';');
    // A comma file whose cells hold semicolons keeps its commas.
    const commas = csvText([[...QUESTION_HEADERS], ['Chọn một; hai; ba; bốn; năm?', 'a;b', 'c;d', 'e;f', '', 'A', 'x;y;z', 'p;q;r']]);
    expect(detectDelimiter(commas, QUESTION_HEADER_NAMES)).toBe(',');
  });

  it('without known headers, takes the delimiter that gives one field count', () => {
    expect(detectDelimiter(commaRich(12))).toBe(';');
    expect(detectDelimiter('Tên;Ghi chú\r\nA;1,2,3,4,5\r\nB;6,7\r\nC;8,9,10,11\r\n')).toBe(';');
  });
});

describe('readSheet', () => {
  it('reads a semicolon CSV with quotes, CRLF, a sep= line and empty trailing rows', async () => {
    const text =
      'sep=;\r\n' +
      csvText(
        [
          ['Câu hỏi', 'Ghi chú'],
          ['Một; hai', 'dòng 1\r\ndòng 2'],
          ['  có khoảng trắng  ', ''],
        ],
        ';',
      ) +
      ';;\r\n\r\n\r\n';
    const sheet = await readSheet(Buffer.from(text, 'utf8'));
    expect(sheet.format).toBe('csv');
    expect(sheet.rows).toEqual([
      { number: 1, cells: ['Câu hỏi', 'Ghi chú'] },
      { number: 2, cells: ['Một; hai', 'dòng 1\ndòng 2'] },
      { number: 3, cells: ['có khoảng trắng'] },
    ]);
  });

  it("reads a semicolon CSV whose cells hold many commas as the caller's columns", async () => {
    const rows = [
      [...QUESTION_HEADERS],
      [
        'Dịch vụ nào, trong số khai sinh, khai tử, kết hôn, là dịch vụ công?',
        '1,5',
        '2,5',
        '3,5',
        '4,5',
        'A',
        'Dịch vụ công, hành chính',
        'Điều 3, khoản 1, điểm a, b',
      ],
    ];
    const sheet = await readSheet(utf8Bom(semicolonCsv(rows)), { headers: QUESTION_HEADER_NAMES });
    expect(sheet.rows.map((r) => r.cells)).toEqual(rows);
  });

  it('reads Excel "Unicode text" (UTF-16 LE, tabs) and old Mac CSV (CR line ends)', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Tên\tSố\r\nXã Yên Phú\t12\r\n', 'utf16le')]);
    expect((await readSheet(utf16)).rows.map((r) => r.cells)).toEqual([
      ['Tên', 'Số'],
      ['Xã Yên Phú', '12'],
    ]);
    const mac = Buffer.from('Tên;Số\rXã Yên Phú;12\r', 'utf8');
    expect((await readSheet(mac)).rows.map((r) => r.cells)).toEqual([
      ['Tên', 'Số'],
      ['Xã Yên Phú', '12'],
    ]);
  });

  it('reads an xlsx made by exceljs with its real row numbers and numbers as text', async () => {
    const buf = await xlsxOf([['Tên', 'Số'], [], ['Xã Quảng Phú', 1234], ['Phường Điện Biên', 38095000123]]);
    const sheet = await readSheet(buf);
    expect(sheet.format).toBe('xlsx');
    expect(sheet.rows).toEqual([
      { number: 1, cells: ['Tên', 'Số'] },
      { number: 3, cells: ['Xã Quảng Phú', '1234'], numeric: [1] },
      { number: 4, cells: ['Phường Điện Biên', '38095000123'], numeric: [1] },
    ]);
  });

  it('reads xlsx cells as Excel set to Vietnamese shows them, not as their stored values', async () => {
    // The tester's q-valid-messy.xlsx rows 7-9 and q-two-row-header.xlsx row 3.
    const buf = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Ngân hàng');
      ws.addRow(['Số', 'Phần trăm', 'Thập phân', 'Ngày', 'Giờ', 'Công thức', 'Chữ', 'Thường']);
      ws.addRow([
        1000,
        0.5,
        1234.5,
        new Date(Date.UTC(1945, 8, 2)),
        new Date(Date.UTC(1899, 11, 30, 7, 30)),
        { formula: '2*3', result: 6 },
        { richText: [{ text: 'in ' }, { text: 'đậm', font: { bold: true } }] },
        2500,
      ]);
      const formats: Record<string, string> = { A2: '#,##0', B2: '0%', C2: '#,##0.0', D2: 'dd/mm/yyyy', E2: 'hh:mm', F2: '0.00' };
      for (const [cell, numFmt] of Object.entries(formats)) ws.getCell(cell).numFmt = numFmt;
      ws.addRow(['A', 'B']);
      ws.mergeCells('A3:B3');
    });
    const sheet = await readSheet(buf);
    expect(sheet.rows.map((r) => r.cells)).toEqual([
      ['Số', 'Phần trăm', 'Thập phân', 'Ngày', 'Giờ', 'Công thức', 'Chữ', 'Thường'],
      ['1.000', '50%', '1.234,5', '02/09/1945', '07:30', '6,00', 'in đậm', '2500'],
      ['A', 'A'],
    ]);
    expect(sheet.warnings).toEqual([]);
  });

  it('warns on the cells it cannot show as Excel does instead of changing them silently', async () => {
    const buf = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['Phân số', 'Công thức', 'Lỗi']);
      ws.addRow([0.5, { formula: 'A2+3' }, { error: '#N/A' }]);
      ws.getCell('A2').numFmt = '0;0;0;0;0';
    });
    const sheet = await readSheet(buf);
    expect(sheet.rows[1].cells).toEqual(['0,5', '', '#N/A']);
    expect(sheet.warnings!.map((w) => [w.row, w.col, w.rule, w.messageEn])).toEqual([
      [2, 0, 'cell_value', 'Cell A2 has the format "0;0;0;0;0", which could not be read as Excel shows it; it was read as "0,5", please check'],
      [2, 1, 'cell_value', 'Cell B2 holds a formula whose result the file does not store: open the file in Excel and save it again'],
      [2, 2, 'cell_value', 'Cell C2 shows the Excel error #N/A'],
    ]);
    for (const w of sheet.warnings!) expect(w.message).not.toBe(w.messageEn);
  });

  it('rejects empty, legacy .xls, binary and damaged files with a SheetError', async () => {
    await expect(readSheet(Buffer.alloc(0))).rejects.toBeInstanceOf(SheetError);
    await expect(readSheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]))).rejects.toBeInstanceOf(SheetError);
    await expect(readSheet(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]))).rejects.toBeInstanceOf(SheetError);
    const xlsx = await xlsxOf([['a']]);
    await expect(readSheet(xlsx.subarray(0, xlsx.length - 200))).rejects.toBeInstanceOf(SheetError);
    await expect(readSheet(Buffer.from('a,"b\r\nc,d', 'utf8'))).rejects.toBeInstanceOf(SheetError);
  });

  it('rejects a file with more rows than allowed', async () => {
    const rows = [['h'], ...Array.from({ length: 11 }, (_, i) => [`r${i}`])];
    await expect(readSheet(Buffer.from(csvText(rows)), { maxRows: 10 })).rejects.toThrow(/more than the limit/);
    await expect(readSheet(Buffer.from(csvText(rows)), { maxRows: 11 })).resolves.toBeTruthy();
  });

  it('refuses an xlsx that claims to unpack beyond the cap', async () => {
    const buf = await xlsxOf([['x'.repeat(5000)]]);
    expect(zipUncompressedSize(buf)).toBeGreaterThan(5000);
    await expect(readSheet(buf, { maxUnzippedBytes: 1000 })).rejects.toThrow(/too large/);
  });
});

describe('writeCsv and writeXlsx', () => {
  it('write formula-like cells so that Excel does not run them, and read them back unchanged', async () => {
    const rows = [['h'], ['-5 + 3 = ?'], ['@SUM(A1)'], ['+84912345678'], ["'không phải công thức"], ["'+' là ký hiệu phép cộng"], ["''=1+1"], ["'"]];
    expect((await readSheet(writeCsv(rows))).rows.map((r) => r.cells)).toEqual(rows);
  });

  it('take off exactly the apostrophe they add, whatever the text (guardFormula, unguardFormula)', () => {
    const text = fc.stringMatching(/^['=+\-@\t\ra ]{0,6}$/);
    fc.assert(
      fc.property(text, (cell) => {
        const guarded = guardFormula(cell);
        expect(unguardFormula(guarded)).toBe(cell);
        // What Excel would run is never written as it is.
        expect(guarded).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });

  it('round-trip through readSheet', async () => {
    const rows = [
      ['Câu hỏi', 'Giải thích'],
      ['Có "ngoặc", dấu phẩy', 'Hai\ndòng'],
      ['=1+1', ''],
    ];
    const csv = writeCsv(rows);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain("\r\n'=1+1,");
    expect((await readSheet(csv)).rows.map((r) => r.cells)).toEqual([rows[0], rows[1], ['=1+1']]);
    const xlsx = await writeXlsx([{ name: 'Câu hỏi', rows }]);
    expect((await readSheet(xlsx)).rows.map((r) => r.cells)).toEqual([rows[0], rows[1], ['=1+1']]);
  });
});

/** A zip whose headers claim every entry is 100 bytes, whatever it really holds. */
function lyingZip(entries: Record<string, Uint8Array>): Buffer {
  const buf = Buffer.from(zipSync(entries, { level: 9 }));
  for (let i = 0; i + 4 <= buf.length; i++) {
    const sig = buf.readUInt32LE(i);
    if (sig === 0x04034b50) buf.writeUInt32LE(100, i + 22);
    if (sig === 0x02014b50) buf.writeUInt32LE(100, i + 24);
  }
  return buf;
}

describe('xlsx entries inflated under a hard cap', () => {
  it('stops at the cap whatever sizes the archive declares', async () => {
    const bomb = lyingZip({ '[Content_Types].xml': new Uint8Array(5_000_000), 'xl/workbook.xml': strToU8('<x/>') });
    expect(zipUncompressedSize(bomb)).toBe(200);
    expect(() => unzipCapped(bomb, 1_000_000)).toThrow(SheetError);
    const err = await readSheet(bomb, { maxUnzippedBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetError);
    expect((err as SheetError).messageEn).toMatch(/too large once unpacked/);
  });

  it('gives back every entry of an honest archive', () => {
    const zip = Buffer.from(zipSync({ a: strToU8('xin chào'), 'b/c.xml': new Uint8Array(1000) }));
    const parts = unzipCapped(zip, 10_000);
    expect([...parts.keys()].sort()).toEqual(['a', 'b/c.xml']);
    expect(Buffer.from(parts.get('a')!).toString()).toBe('xin chào');
  });

  it('tells an OpenDocument file to be saved as .xlsx or .csv', async () => {
    const ods = Buffer.from(zipSync({ mimetype: strToU8('application/vnd.oasis.opendocument.spreadsheet'), 'content.xml': strToU8('<x/>') }, { level: 0 }));
    await expect(readSheet(ods)).rejects.toThrow(/save the file as \.xlsx or \.csv/);
  });

  it('calls a damaged .xlsx a workbook it cannot read, not a CSV with missing columns', async () => {
    const good = await writeXlsx([
      {
        name: 'Câu hỏi',
        rows: [
          ['Câu hỏi', 'Phương án A'],
          ['Một', 'Hai'],
        ],
      },
    ]);
    const damaged = Buffer.from(good.subarray(0, Math.floor(good.length / 2)));
    await expect(readSheet(damaged, { filename: 'cau-hoi.xlsx' })).rejects.toThrow(/not a readable workbook/);
    const noMagic = Buffer.concat([Buffer.from('garbage'), good.subarray(7)]);
    await expect(readSheet(noMagic, { filename: 'cau-hoi.xlsx' })).rejects.toThrow(/not a readable workbook/);
  });
});

describe('reading an uploaded workbook', () => {
  it('parses it off the thread that answers requests: exceljs never loads a workbook here', async () => {
    const buf = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('DS');
      ws.addRow(['Họ và tên', 'Số CCCD', 'Số điện thoại', 'Ghi chú']);
      for (let i = 0; i < 2_000; i++) ws.addRow([`Nguyễn Văn Người Số ${i}`, `038${190_000_000 + i}`, `09${10_000_000 + i}`, 'Cán bộ Sở']);
    });
    // On this thread a large workbook held the event loop for seconds (exceljs builds it whole):
    // a 3.5 MB upload of 60 MB of cells stalled every request for 8 s.
    const load = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    try {
      const sheet = await readSheet(buf, { maxRows: 100_000 });
      expect(sheet.rows).toHaveLength(2_001);
      expect(sheet.rows[2_000].cells).toEqual(['Nguyễn Văn Người Số 1999', '038190001999', '0910001999', 'Cán bộ Sở']);
      expect(load).not.toHaveBeenCalled();
    } finally {
      load.mockRestore();
    }
  });
});

describe('files made to cost the reader', () => {
  it('reads a row with a cell in column XFD without making the 16,384 cells before it', async () => {
    const buf = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['Họ tên', 'Số CCCD']);
      for (let r = 2; r <= 40; r++) {
        ws.getCell(`A${r}`).value = `Người ${r}`;
        ws.getCell(`XFD${r}`).value = 'xa';
      }
    });
    const getCell = vi.spyOn(ExcelRow.prototype, 'getCell');
    try {
      const sheet = await readXlsx(buf, {});
      expect(sheet.rows).toHaveLength(40);
      expect(sheet.rows[1].cells).toEqual(['Người 2']);
      // exceljs's own load of the file makes none either; the columns read stop at 64.
      expect(getCell.mock.calls.length).toBeLessThan(40 * 64);
    } finally {
      getCell.mockRestore();
    }
  });

  it('refuses a sheet whose merged ranges cover too many cells, before exceljs loads it', async () => {
    const base = await xlsxOf([['Họ tên'], ['Một']]);
    const parts = unzipSync(base);
    const name = Object.keys(parts).find((n) => /^xl\/worksheets\/.+\.xml$/.test(n))!;
    const xml = strFromU8(parts[name]).replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>');
    const bomb = Buffer.from(zipSync({ ...parts, [name]: strToU8(xml) }));
    expect(bomb.length).toBeLessThan(20_000);
    const err = await readSheet(bomb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetError);
    expect((err as SheetError).messageVi).toMatch(/gộp ô/);
    expect(mergedCells(strToU8('<mergeCell ref="A1:C2"/><x:mergeCell ref="B5"/>'))).toBe(7);
    // A header over two rows and a title across a row are read as they were.
    const merged = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['Danh sách', '', '']);
      ws.addRow(['Họ tên', 'Số CCCD', 'Ghi chú']);
      ws.mergeCells('A1:C1');
    });
    expect((await readSheet(merged)).rows.map((r) => r.cells)).toEqual([
      ['Danh sách', 'Danh sách', 'Danh sách'],
      ['Họ tên', 'Số CCCD', 'Ghi chú'],
    ]);
  });

  it('reads a CSV that ends with the Ctrl-Z mark of old DOS and Windows tools', async () => {
    const buf = Buffer.concat([toCp1258('Họ tên,Số CCCD\r\nNguyễn Văn An,038090000001\r\n'), Buffer.from([0x1a])]);
    expect((await readSheet(buf)).rows.map((r) => r.cells)).toEqual([
      ['Họ tên', 'Số CCCD'],
      ['Nguyễn Văn An', '038090000001'],
    ]);
    // Anywhere else a control character still means the file is no text.
    await expect(readSheet(Buffer.from('Họ tên\x1a,Số CCCD\r\n'))).rejects.toThrow(SheetError);
  });

  it('refuses a UTF-16 CSV that holds half a character, naming its line, rather than storing U+FFFD', async () => {
    const text = 'Câu hỏi,Phương án A\r\nHỏi gì?,a\uD800x\r\n';
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const err = await readSheet(buf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetError);
    expect((err as SheetError).messageVi).toMatch(/dòng 2/);
    expect((err as SheetError).row).toBe(2);
  });

  it('names the General format when a numeric cell has none and holds no number', async () => {
    const base = await xlsxOf([['Số'], [1]]);
    const parts = unzipSync(base);
    const name = Object.keys(parts).find((n) => /^xl\/worksheets\/.+\.xml$/.test(n))!;
    const xml = strFromU8(parts[name]).replace(/<c r="A2"[^>]*>.*?<\/c>/, '<c r="A2" t="n"><v>abc</v></c>');
    const sheet = await readSheet(Buffer.from(zipSync({ ...parts, [name]: strToU8(xml) })));
    expect(sheet.warnings).toHaveLength(1);
    expect(sheet.warnings![0].message).toContain('định dạng "General"');
    expect(sheet.warnings![0].messageEn).toContain('the format "General"');
  });
});

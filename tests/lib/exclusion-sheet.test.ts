import { describe, expect, it } from 'vitest';
import { turnCounter } from '../helpers/event-loop';
import { dedupeEntries, normalizeEntry, normalizeListPhone, normalizeNationalId, parseExclusionRows } from '../../server/src/lib/exclusion-sheet';

describe('normalizeNationalId', () => {
  it('keeps 12 digits, strips separators and restores a leading zero a spreadsheet dropped', () => {
    for (const written of ['038 085 111 111', '038.085.111.111', '38085111111', '０３８０８５１１１１１１', '038\u200b085111111'])
      expect(normalizeNationalId(written), written).toBe('038085111111');
  });
  it('refuses what is not a CCCD', () => {
    // 02373851234: a landline; 11 digits that start with 0 are no number that lost its zero.
    for (const written of ['12345', '999085111111', '03808511111a', '02373851234', '01185000202'])
      expect(typeof normalizeNationalId(written), written).toBe('object');
  });

  it('restores the two zeros a number dropped from a CCCD of province 001-009, only when the cell held a number', () => {
    expect(normalizeNationalId('1185000202', { fromNumber: true })).toBe('001185000202');
    expect(normalizeNationalId('38092000303', { fromNumber: true })).toBe('038092000303');
    expect(normalizeNationalId('1.185.000.202', { fromNumber: true })).toBe('001185000202');
    // As text, two digits may be missing anywhere: refused, with the likely cause.
    expect(normalizeNationalId('1185000202')).toEqual({
      message: 'Số CCCD phải gồm 12 chữ số hợp lệ; Excel có thể đã bỏ các số 0 ở đầu: hãy định dạng cột là Văn bản (Text) rồi nhập đủ 12 số',
      messageEn: 'The national id must be exactly 12 digits; Excel may have dropped its leading zeros: format the column as Text and type all 12 digits',
    });
    expect(normalizeNationalId('99185000202')).toMatchObject({ messageEn: expect.stringContaining('Excel may have dropped its leading zeros') });
    expect(normalizeNationalId('1,23E+11')).toMatchObject({ messageEn: expect.stringContaining('scientific notation') });
    expect(normalizeNationalId('123456789')).toEqual({ message: 'Số CCCD phải gồm 12 chữ số hợp lệ', messageEn: 'The national id must be exactly 12 digits' });
  });
});

describe('normalizeListPhone', () => {
  it('gives 0xxxxxxxxx for every notation', () => {
    for (const p of ['0912345678', '+84912345678', '84 912 345 678', '912345678', '0912.345.678']) expect(normalizeListPhone(p)).toBe('0912345678');
  });
  it('refuses landlines and short numbers', () => {
    expect(typeof normalizeListPhone('02373851234')).toBe('object');
    expect(typeof normalizeListPhone('0912')).toBe('object');
  });
});

describe('normalizeEntry and dedupeEntries', () => {
  it('needs an id or a phone and keeps one of identical entries', () => {
    expect(normalizeEntry({ note: 'x' })).toEqual({ problems: [expect.objectContaining({ field: 'nationalId' })] });
    const a = normalizeEntry({ phone: '+84912345678', note: ' Ban   tổ chức ' });
    expect(a).toEqual({ entry: { nationalId: null, phone: '0912345678', note: 'Ban tổ chức' } });
    const b = normalizeEntry({ phone: '0912345678', note: 'Ban\u200b tổ\u00ad chức' });
    expect(b).toEqual({ entry: { nationalId: null, phone: '0912345678', note: 'Ban tổ chức' } });
    if (!('entry' in a) || !('entry' in b)) throw new Error('unexpected');
    expect(dedupeEntries([a.entry, b.entry])).toEqual([a.entry]);
  });
});

describe('parseExclusionRows', () => {
  it('leaves out hidden rows with a warning and names the sheet when no id column is found', async () => {
    const out = await parseExclusionRows([
      { number: 1, cells: ['SĐT'] },
      { number: 2, cells: ['0912345678'] },
      { number: 3, cells: ['0912345679'], hidden: true },
    ]);
    expect(out.entries.map((e) => e.row)).toEqual([2]);
    expect(out.warnings.map((w) => [w.row, w.rule])).toEqual([[3, 'hidden_row']]);
    const none = await parseExclusionRows([{ number: 1, cells: ['Họ và tên'] }], { sheetName: 'Sheet2' });
    expect(none.errors[0].messageEn).toBe('Missing a "Số CCCD" or "Số điện thoại" column in the sheet "Sheet2" (only the first visible sheet is read)');
  });

  it('pads a ten-digit id from a numeric cell, not from a text one', async () => {
    const out = await parseExclusionRows([
      { number: 1, cells: ['Họ và tên', 'Số CCCD'] },
      { number: 2, cells: ['Hoàng Thị Hai', '1185000202'], numeric: [1] },
      { number: 3, cells: ['Hoàng Thị Ba', '1185000303'] },
    ]);
    expect(out.entries).toEqual([{ row: 2, entry: { nationalId: '001185000202', phone: null, note: 'Hoàng Thị Hai' } }]);
    expect(out.errors.map((e) => [e.row, e.column, e.field])).toEqual([[3, 'B', 'Số CCCD']]);
  });

  it('takes a phone-only sheet', async () => {
    const out = await parseExclusionRows([
      { number: 1, cells: ['SĐT'] },
      { number: 2, cells: ['0912345678'] },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.entries).toEqual([{ row: 2, entry: { nationalId: null, phone: '0912345678', note: null } }]);
  });
});

describe('parseExclusionRows on a long list', () => {
  it('lets the event loop take turns while it checks the rows, and checks them all in order', async () => {
    const n = 30_000;
    const rows = [
      { number: 1, cells: ['Họ tên', 'Số CCCD', 'Số điện thoại'] },
      ...Array.from({ length: n }, (_, i) => ({ number: i + 2, cells: [`Nguyễn Văn ${i}`, `001090${String(i).padStart(6, '0')}`, ''] })),
    ];
    const counter = turnCounter();
    const out = await parseExclusionRows(rows);
    counter.stop();
    expect(out.errors).toEqual([]);
    expect(out.entries.map((e) => e.row)).toEqual(rows.slice(1).map((r) => r.number));
    expect(out.entries[n - 1].entry).toEqual({ nationalId: '001090029999', phone: null, note: `Nguyễn Văn ${n - 1}` });
    // 30,000 checks take well over one 10 ms run on any machine.
    expect(counter.turns).toBeGreaterThan(1);
  });
});

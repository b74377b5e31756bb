import { describe, expect, it } from 'vitest';
import { parseHeadcount, parseReferenceRows } from '../../server/src/lib/reference-sheet';

describe('parseHeadcount', () => {
  it('reads Vietnamese and English thousands separators', () => {
    expect(parseHeadcount('12.345')).toBe(12345);
    expect(parseHeadcount('12,345')).toBe(12345);
    expect(parseHeadcount('1 234 567')).toBe(1234567);
    expect(parseHeadcount('800')).toBe(800);
    // An xlsx cell under #,##0.00 or 0.0, as Excel set to Vietnamese shows it.
    expect(parseHeadcount('12.345,00')).toBe(12345);
    expect(parseHeadcount('800,0')).toBe(800);
    expect(parseHeadcount('12,000')).toBe(12000);
    expect(parseHeadcount('')).toBeNull();
  });
  it('refuses decimals, negatives, words and absurd numbers', () => {
    for (const s of ['12.5', '12,5', '12.345,50', '-3', 'nhiều', '1.23.4', '999999999999']) expect(parseHeadcount(s)).toBeUndefined();
  });
});

describe('parseReferenceRows', () => {
  it('reads a headerless-count list and reports duplicate names case-insensitively', () => {
    const out = parseReferenceRows([
      { number: 1, cells: ['Tên'] },
      { number: 2, cells: ['Xã Yên Phú'] },
      { number: 3, cells: ['XÃ YÊN PHÚ'] },
    ]);
    expect(out.items).toEqual([{ row: 2, name: 'Xã Yên Phú', headcount: null }]);
    expect(out.errors.map((e) => [e.row, e.messageEn])).toEqual([[3, 'Same name as on row 2']]);
  });
});

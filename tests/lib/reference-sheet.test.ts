import { describe, expect, it } from 'vitest';
import { parseHeadcount, parseReferenceRows } from '../../server/src/lib/reference-sheet';

describe('parseHeadcount', () => {
  it('reads Vietnamese and English thousands separators', () => {
    expect(parseHeadcount('12.345')).toBe(12345);
    expect(parseHeadcount('12,345')).toBe(12345);
    expect(parseHeadcount('1 234 567')).toBe(1234567);
    expect(parseHeadcount('800')).toBe(800);
    expect(parseHeadcount('')).toBeNull();
  });
  it('refuses decimals, negatives, words and absurd numbers', () => {
    for (const s of ['12.5', '-3', 'nhiều', '1.23.4', '999999999999']) expect(parseHeadcount(s)).toBeUndefined();
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

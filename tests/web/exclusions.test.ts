import { describe, expect, it } from 'vitest';
import { parseExclusionRows } from '../../server/src/lib/exclusion-sheet';
import { normalizeEntry, parsePastedLines } from '../../web/src/lib/exclusions';

const read = (text: string) => parsePastedLines(text).map((l) => ('entry' in l ? l.entry : l.problems.map((p) => p.field)));

describe("the exclusion page's paste box", () => {
  it("takes what the file import takes (the tester's lines)", () => {
    expect(read('38092000303\n912000404\n038.088.000.505')).toEqual([
      { nationalId: '038092000303', phone: null, note: null },
      { nationalId: null, phone: '0912000404', note: null },
      { nationalId: '038088000505', phone: null, note: null },
    ]);
  });

  it('reads the columns of a row pasted from Excel, in any order', () => {
    expect(
      read(
        [
          'Số CCCD\tSố điện thoại\tGhi chú',
          '038092000303\t0912000404\tNguyễn Văn A',
          'Trần Thị B\t0912000505\t038092000606',
          '1\tPhạm Văn Một\t38090000101\t\tBTC',
          'Lê C, 0912 000 777, Ban tổ chức',
          '0912000888 Hoàng D',
        ].join('\r\n'),
      ),
    ).toEqual([
      { nationalId: '038092000303', phone: '0912000404', note: 'Nguyễn Văn A' },
      { nationalId: '038092000606', phone: '0912000505', note: 'Trần Thị B' },
      { nationalId: '038090000101', phone: null, note: 'Phạm Văn Một — BTC' },
      { nationalId: null, phone: '0912000777', note: 'Lê C, Ban tổ chức' },
      { nationalId: null, phone: '0912000888', note: 'Hoàng D' },
    ]);
  });

  it('tells a phone written 84… from a CCCD that lost its zero by the birth year it would name', () => {
    expect(read('84332123456')).toEqual([{ nationalId: null, phone: '0332123456', note: null }]);
    expect(read('84332123456\t038092000303')).toEqual([{ nationalId: '038092000303', phone: '0332123456', note: null }]);
  });

  it('keeps the lines it cannot read, saying which field is wrong', () => {
    const out = parsePastedLines('1185000202\nKhông có số\n038092000303\t038092000304\n\n0912000404\n02373851234');
    expect(out.map((l) => [l.line, 'entry' in l])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [5, true],
      [6, false],
    ]);
    expect('problems' in out[4] && out[4].problems.map((p) => p.field)).toEqual(['phone']);
    expect('problems' in out[0] && out[0].problems[0]).toMatchObject({
      field: 'nationalId',
      message: expect.stringContaining('Excel có thể đã bỏ các số 0 ở đầu'),
    });
  });

  it('agrees with the file import on every cell', async () => {
    const ids = ['38092000303', '038.088.000.505', '038 190 000 606', '1185000202', '999085111111', ''];
    const phones = ['912000404', '+84 912 000 303', '84.912.000.404', '0912.000.707', '02373851234', ''];
    for (const id of ids)
      for (const phone of phones) {
        const file = await parseExclusionRows([
          { number: 1, cells: ['Số CCCD', 'SĐT', 'Ghi chú'] },
          { number: 2, cells: [id, phone, 'x'] },
        ]);
        const pasted = parsePastedLines(`${id}\t${phone}\tx`)[0];
        // What the file takes the paste takes alike; what it refuses the paste refuses too
        // (the message may differ: the file's columns say which field a number was meant for).
        const fromFile = file.entries[0]?.entry ?? 'refused';
        const fromPaste = 'entry' in pasted ? pasted.entry : 'refused';
        expect(fromPaste, `${id} | ${phone}`).toEqual(fromFile);
        // The row check before saving says the same.
        expect(normalizeEntry({ nationalId: id, phone, note: 'x' }), `${id} | ${phone}`).toEqual(
          'entry' in pasted ? { entry: pasted.entry } : { problems: expect.any(Array) },
        );
      }
  });
});

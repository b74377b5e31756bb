import { describe, expect, it } from 'vitest';
import {
  cleanLines,
  cleanLongText,
  cleanText,
  makeNationalId,
  maskNationalId,
  maskPhone,
  nationalIdProblem,
  normalizePhone,
} from '../../server/src/lib/identity';

describe('normalizePhone', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84912345678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['091.234.5678', '0912345678'],
    ['0387654321', '0387654321'],
  ])('%s -> %s', (input, out) => expect(normalizePhone(input)).toBe(out));

  it.each(['', '12345', '0212345678', '091234567', '09123456789', '+1 650 555 0100', 'abcdefghij'])('rejects %j', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});

describe('nationalIdProblem', () => {
  it('accepts a CCCD that matches its birth year', () => {
    expect(nationalIdProblem('038090000001', 1990)).toBeNull();
    expect(nationalIdProblem(makeNationalId(2004, 12, 38, true), 2004)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(nationalIdProblem('03809000000')).toMatch(/12 digits/);
    // Registration is strict: the zeros an exclusion list restores are not restored here.
    expect(nationalIdProblem('1185000202')).toMatch(/12 digits/);
    expect(nationalIdProblem('38092000303')).toMatch(/12 digits/);
    expect(nationalIdProblem('999090000001')).toMatch(/province/);
    expect(nationalIdProblem('038090000001', 1991)).toMatch(/birth year/);
  });
});

describe('masking', () => {
  it('never shows a whole phone or national id', () => {
    expect(maskPhone('0912345678')).toBe('091****678');
    expect(maskNationalId('038090000001')).toBe('********0001');
  });
});

describe('invisible characters', () => {
  // Zero-width space, non-joiner and joiner, word joiner, soft hyphen, a BOM inside text.
  const hidden = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff'];

  it.each(hidden.map((c) => [c.codePointAt(0)!.toString(16)]))('U+%s is dropped by every text cleaner', (hex) => {
    const c = String.fromCodePoint(parseInt(hex, 16));
    expect(cleanText(`Hà${c}Nội`)).toBe('HàNội');
    expect(cleanText(`${c}Hà Nội${c}`)).toBe('Hà Nội');
    expect(cleanLines(`Dòng${c} 1\nDòng 2${c}`)).toBe('Dòng 1\nDòng 2');
    expect(cleanLongText(`Giải${c} thích`)).toBe('Giải thích');
  });

  it('keeps the joiner inside an emoji sequence, where it makes the picture', () => {
    const coder = '👩\u200d💻';
    const toned = '👩🏽\u200d💻';
    const heart = '❤\ufe0f\u200d🔥';
    expect(cleanText(`Lập trình viên ${coder} ${toned} ${heart}`)).toBe(`Lập trình viên ${coder} ${toned} ${heart}`);
    expect(cleanText('a\u200d💻 💻\u200db')).toBe('a💻 💻b');
  });

  it('reads a phone with an invisible character in it', () => {
    expect(normalizePhone('0912\u200b345\u2060678')).toBe('0912345678');
  });
});

import { describe, expect, it } from 'vitest';
import { makeNationalId, maskNationalId, maskPhone, nationalIdProblem, normalizePhone } from '../../server/src/lib/identity';

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

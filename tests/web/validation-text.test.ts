import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { text } from '../../server/src/lib/zod';
import { validationText } from '../../web/src/lib/errors';
import { i18n } from '../../web/src/lib/i18n/index.svelte';

/** The message zod gives the server's field details for this value (plugins/errors.ts sends it as is). */
const messageOf = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!.issues[0].message;

describe('field messages from the server', () => {
  it("reads zod's own messages in Vietnamese, with their numbers", () => {
    expect(i18n.locale).toBe('vi');
    expect(validationText(messageOf(text(3, 200), 'ab'))).toBe('Cần ít nhất 3 ký tự.');
    expect(validationText(messageOf(text(1, 500), 'x'.repeat(501)))).toBe('Tối đa 500 ký tự.');
    expect(validationText(messageOf(z.number().int().min(1), 0))).toBe('Giá trị nhỏ nhất là 1.');
    expect(validationText(messageOf(z.number().max(600000), 700000))).toBe('Giá trị lớn nhất là 600000.');
    expect(validationText(messageOf(z.array(z.string()).min(2), ['a']))).toBe('Cần ít nhất 2 mục.');
    expect(validationText(messageOf(z.array(z.string()).max(1), ['a', 'b']))).toBe('Tối đa 1 mục.');
  });

  it('never shows an English sentence to a Vietnamese reader', () => {
    expect(validationText(messageOf(z.string().regex(/^[a-z]+$/, 'lowercase letters, digits and single dashes'), 'Có Dấu'))).toBe('Giá trị chưa hợp lệ.');
    expect(validationText(messageOf(z.string(), 42))).toBe('Giá trị chưa hợp lệ.');
  });

  it('leaves them as they are for an English reader', () => {
    i18n.locale = 'en';
    try {
      expect(validationText('Too small: expected string to have >=3 characters')).toBe('Too small: expected string to have >=3 characters');
    } finally {
      i18n.locale = 'vi';
    }
  });
});

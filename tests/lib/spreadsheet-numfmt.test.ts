import { describe, expect, it } from 'vitest';
import { showValue } from '../../server/src/lib/spreadsheet.numfmt';

const at = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => new Date(Date.UTC(y, m - 1, d, h, mi, s));
/** A time of day as exceljs gives it: on Excel's day 0. */
const time = (h: number, mi: number, s = 0) => at(1899, 12, 30, h, mi, s);

describe('showValue: a cell as Excel set to Vietnamese shows it', () => {
  it.each<[number | Date, string | undefined, string]>([
    // The tester's q-valid-messy.xlsx and q-two-row-header.xlsx.
    [1000, '#,##0', '1.000'],
    [0.5, '0%', '50%'],
    [1234.5, '#,##0.0', '1.234,5'],
    [at(1945, 9, 2), 'dd/mm/yyyy', '02/09/1945'],
    [time(7, 30), 'hh:mm', '07:30'],
    // General: integers in full (ids, phones), decimals with a comma.
    [2500, undefined, '2500'],
    [38092000303, 'General', '38092000303'],
    [0.1 + 0.2, 'General', '0,3'],
    [-1234.5, 'General', '-1234,5'],
    // Numbers.
    [1.005, '0.00', '1,01'],
    [-1234.567, '#,##0.00', '-1.234,57'],
    [-5, '#,##0;(#,##0)', '(5)'],
    [0, '#,##0;(#,##0);"-"', '-'],
    [1234567, '#,##0,', '1.235'],
    [1234567, '0.0,,"tr"', '1,2tr'],
    [0.125, '0.0%', '12,5%'],
    [3, '0.0#', '3,0'],
    [0.5, '#.##', ',5'],
    [123456789012, '0.00E+00', '1,23E+11'],
    [1500000, '#,##0 "₫"', '1.500.000 ₫'],
    [1500000, '[$₫-42A] #,##0', '₫ 1.500.000'],
    [1500000, '_-* #,##0 _₫_-;-* #,##0 _₫_-;_-* "-" _₫_-;_-@_-', ' 1.500.000   '],
    [5, '0\\ "người"', '5 người'],
    [-42, '[Blue]0;[Red]-0', '-42'],
    [42, '@', '42'],
    // Leading zeros a format keeps (a CCCD or a phone held as a number).
    [1185000202, '000000000000', '001185000202'],
    [38092000303, '000 000 000 000', '038 092 000 303'],
    // Dates and times; Excel's built-in short date follows the reader's locale.
    [at(1945, 9, 2), 'mm-dd-yy', '02/09/1945'],
    [at(2024, 3, 5, 8, 7), 'm/d/yy "h":mm', '05/03/2024 8:07'],
    [at(1945, 9, 2), 'dd.mm.yyyy', '02.09.1945'],
    [at(1945, 9, 2), 'dddd, dd/mm/yyyy', 'Chủ Nhật, 02/09/1945'],
    [at(1945, 9, 2), 'd mmmm yyyy', '2 Tháng Chín 1945'],
    // Fractions and conditions, as Excel shows them.
    [0.5, '# ?/?', ' 1/2'],
    [150, '[<100]0;0.0', '150,0'],
    [42, '[<100]0;0.0', '42'],
    [45000, 'dd/mm/yyyy', '15/03/2023'],
    [time(7, 30), 'h:mm AM/PM', '7:30 SA'],
    [time(19, 5, 9), 'hh:mm:ss AM/PM', '07:05:09 CH'],
    [time(7, 29, 59), 'h:mm', '7:29'],
    [at(1899, 12, 31, 12), '[h]:mm:ss', '36:00:00'],
  ])('%s under %j shows %j', (value, format, text) => {
    expect(showValue(value, format)).toEqual({ text, exact: true });
  });

  it.each<[number | Date, string, string]>([
    [-3, 'dd/mm/yyyy', '-3'],
    [at(1900, 1, 15), 'dd/mm/yyyy', '15/01/1900'],
  ])('says when %s under %j cannot be shown as Excel would (read as %j)', (value, format, text) => {
    expect(showValue(value, format)).toEqual({ text, exact: false });
  });
});

// What an .xlsx cell shows: its value through its number format (numFmt), as Excel set to
// Vietnamese shows it: '.' between thousands, ',' before decimals, dates dd/mm/yyyy, times
// hh:mm. exceljs gives values only (a date as a Date, 1.000 as 1000, 50% as 0.5), so a file's
// dates would otherwise arrive as ISO strings. The formatting itself is numfmt's (the Excel
// format grammar, with its 'vi' locale); here is only what an import needs around it.
import { format, getFormatInfo } from 'numfmt';

export interface Shown {
  text: string;
  /** false: the format could not be followed (invalid, a date out of range); `text` is the value as General shows it. */
  exact: boolean;
}

const DAY_MS = 86_400_000;
/** Day 0 of Excel's 1900 date system, as exceljs counts it (serials from 61 on). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** Formats whose look follows the reader's locale: Excel's built-in short date (id 14) and date-time (id 22), as exceljs names them. */
const LOCALE_FORMATS: Record<string, string> = {
  'mm-dd-yy': 'dd/mm/yyyy',
  'm/d/yy "h":mm': 'dd/mm/yyyy h:mm',
  'm/d/yy h:mm': 'dd/mm/yyyy h:mm',
};

const OPTIONS = {
  locale: 'vi',
  // Plain spaces (a CCCD or a name must not carry U+00A0), and an error instead of a number for a date out of range.
  nbsp: false,
  dateErrorThrows: true,
  dateErrorNumber: false,
  dateSpanLarge: false,
  throws: true,
};

/** A number as General shows it in Vietnamese: integers in full, others to 15 significant digits, ',' as the decimal mark. */
export function generalNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  try {
    return format('General', v, OPTIONS);
  } catch {
    return String(v).replace('.', ',');
  }
}

/** exceljs builds a date cell's Date as if the serial were UTC: back to the serial. */
const dateToSerial = (d: Date, date1904: boolean) => (d.getTime() - (date1904 ? EPOCH_1904 : EPOCH_1900)) / DAY_MS;

/** A number (or a Date exceljs made from one) shown through `numFmt`. */
export function showValue(value: number | Date, numFmt: string | undefined, date1904 = false): Shown {
  const pattern = LOCALE_FORMATS[numFmt ?? ''] ?? (numFmt || 'General');
  // numfmt counts serials in the 1900 system (with Lotus's 29/02/1900): a 1904 serial moves by its 1,462 days.
  const serial = value instanceof Date ? dateToSerial(value, date1904) + (date1904 ? 1462 : 0) : value + (date1904 ? 1462 : 0);
  const general = (): Shown => ({ text: value instanceof Date ? dateFallback(value) : generalNumber(value), exact: false });
  if (!Number.isFinite(serial)) return general();
  try {
    // Before 01/03/1900 exceljs and Excel count days differently (Lotus's 29/02/1900): no such day is shown as certain.
    if (value instanceof Date && !date1904 && serial >= 1 && serial < 61 && getFormatInfo(pattern).type === 'date') return general();
    // numfmt's Vietnamese names come decomposed (NFD): stored text is NFC.
    const text = format(pattern, serial, OPTIONS).normalize('NFC');
    // "######": what Excel shows where the value does not fit the format (a negative date).
    return /^#+$/.test(text) ? general() : { text, exact: true };
  } catch {
    return general();
  }
}

/** A date with no usable format: dd/mm/yyyy, with the time when it has one. */
function dateFallback(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${d.getUTCSeconds() ? `:${pad(d.getUTCSeconds())}` : ''}`;
  if (d.getTime() % DAY_MS === 0) return day;
  return d.getTime() >= EPOCH_1900 && d.getTime() < EPOCH_1900 + 2 * DAY_MS ? time : `${day} ${time}`;
}

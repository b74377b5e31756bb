// What an .xlsx cell shows: its value through its number format (numFmt), as Excel set to
// Vietnamese shows it: '.' between thousands, ',' before decimals, dates dd/mm/yyyy, times
// hh:mm, month and weekday names from Intl's 'vi'. exceljs gives values only (a date as a
// Date, 1.000 as 1000, 50% as 0.5), so a file's dates would otherwise arrive as ISO strings.
//
// The common formats are covered: General, 0 # ? placeholders with grouping, scaling commas
// and decimals, percent, scientific, literal text ("…", \x, _x, *x, [$₫-42A]), colours,
// several sections; dates and times (y m d h s, AM/PM, fractional and elapsed [h] [m] [s]).
// A format outside these (fractions, conditions like [<100], eras) gives `exact: false`: the
// value as General shows it, for the caller to warn about rather than change it silently.

export interface Shown {
  text: string;
  /** false: the format could not be followed; `text` is the value as General shows it. */
  exact: boolean;
}

type Token =
  | { t: 'lit'; s: string }
  | { t: 'ph'; c: '0' | '#' | '?' }
  | { t: 'dot' }
  | { t: 'comma' }
  | { t: 'pct' }
  | { t: 'exp'; plus: boolean }
  | { t: 'slash' }
  | { t: 'at' }
  | { t: 'general' }
  | { t: 'date'; c: 'y' | 'm' | 'd' | 'h' | 's' | 'e'; n: number }
  | { t: 'elapsed'; c: 'h' | 'm' | 's'; n: number }
  | { t: 'subsec'; n: number }
  | { t: 'ampm'; short: boolean }
  | { t: 'unsupported' };

const VI_MONTH = new Intl.DateTimeFormat('vi-VN', { month: 'long', timeZone: 'UTC' });
const VI_DAY_LONG = new Intl.DateTimeFormat('vi-VN', { weekday: 'long', timeZone: 'UTC' });
const VI_DAY_SHORT = new Intl.DateTimeFormat('vi-VN', { weekday: 'short', timeZone: 'UTC' });
const GROUP = '.';
const DECIMAL = ',';
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

/** The sections of a format, each as tokens. */
function tokenize(format: string): Token[][] {
  const sections: Token[][] = [[]];
  let out = sections[0];
  const lit = (s: string) => {
    const last = out[out.length - 1];
    if (last?.t === 'lit') last.s += s;
    else out.push({ t: 'lit', s });
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    const rest = format.slice(i);
    const lower = ch.toLowerCase();
    if (ch === ';') {
      out = [];
      sections.push(out);
    } else if (ch === '"') {
      const end = format.indexOf('"', i + 1);
      lit(format.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? format.length : end;
    } else if (ch === '\\') {
      lit(format[i + 1] ?? '');
      i++;
    } else if (ch === '_') {
      lit(' ');
      i++;
    } else if (ch === '*') {
      i++;
    } else if (ch === '[') {
      const end = format.indexOf(']', i);
      const inner = format.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? format.length : end;
      if (/^(h+|m+|s+)$/i.test(inner)) out.push({ t: 'elapsed', c: inner[0].toLowerCase() as 'h' | 'm' | 's', n: inner.length });
      else if (inner.startsWith('$')) lit(inner.slice(1).split('-')[0]);
      else if (/^(black|white|red|green|blue|yellow|magenta|cyan|colou?r ?\d+)$/i.test(inner)) continue;
      else out.push({ t: 'unsupported' });
    } else if (/^general/i.test(rest)) {
      out.push({ t: 'general' });
      i += 'general'.length - 1;
    } else if (/^am\/pm/i.test(rest)) {
      out.push({ t: 'ampm', short: false });
      i += 4;
    } else if (/^a\/p/i.test(rest)) {
      out.push({ t: 'ampm', short: true });
      i += 2;
    } else if ((ch === 'E' || ch === 'e') && (format[i + 1] === '+' || format[i + 1] === '-')) {
      out.push({ t: 'exp', plus: format[i + 1] === '+' });
      i++;
    } else if ('ymdhse'.includes(lower)) {
      let n = 1;
      while (format[i + n]?.toLowerCase() === lower) n++;
      out.push({ t: 'date', c: lower as 'y' | 'm' | 'd' | 'h' | 's' | 'e', n });
      i += n - 1;
    } else if (lower === 'g' || lower === 'b') {
      out.push({ t: 'unsupported' });
    } else if (ch === '0' || ch === '#' || ch === '?') {
      // "ss.000": fractional seconds, not a number's decimals.
      const prev = out[out.length - 1];
      const prevPrev = out[out.length - 2];
      if (ch === '0' && prev?.t === 'dot' && prevPrev?.t === 'date' && prevPrev.c === 's') {
        let n = 1;
        while (format[i + n] === '0') n++;
        out.pop();
        out.push({ t: 'subsec', n });
        i += n - 1;
      } else out.push({ t: 'ph', c: ch });
    } else if (ch === '.') out.push({ t: 'dot' });
    else if (ch === ',') out.push({ t: 'comma' });
    else if (ch === '%') out.push({ t: 'pct' });
    else if (ch === '/') out.push({ t: 'slash' });
    else if (ch === '@') out.push({ t: 'at' });
    else lit(ch);
  }
  return sections;
}

const isDateSection = (tokens: Token[]) => tokens.some((k) => k.t === 'date' || k.t === 'elapsed' || k.t === 'ampm' || k.t === 'subsec');

/** A number as General shows it: integers in full, others to 15 significant digits, ',' as the decimal mark. */
export function generalNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  const s = String(Number(v.toPrecision(15)));
  return s
    .replace('.', DECIMAL)
    .replace(/e([+-])(\d)$/, 'E$10$2')
    .replace('e', 'E');
}

/** `v` rounded half away from zero to `decimals` places (on the 15 digits Excel keeps), as plain digits. */
function fixed(v: number, decimals: number): string {
  return new Intl.NumberFormat('en-US', {
    useGrouping: false,
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    roundingMode: 'halfExpand',
  }).format(v.toPrecision(15) as `${number}`);
}

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);

/** One section of a number format applied to `v` (already made positive when the section is the negative one). */
function numberSection(tokens: Token[], v: number, autoMinus: boolean): string | null {
  if (tokens.some((k) => k.t === 'unsupported' || k.t === 'slash')) return null;
  // General, or the text placeholder (a number in a cell formatted as Text shows as General).
  if (tokens.some((k) => k.t === 'general' || k.t === 'at')) {
    const text = generalNumber(Math.abs(v));
    return (autoMinus && v < 0 ? '-' : '') + tokens.map((k) => (k.t === 'general' || k.t === 'at' ? text : k.t === 'lit' ? k.s : '')).join('');
  }
  const phIdx = tokens.flatMap((k, i) => (k.t === 'ph' ? [i] : []));
  if (phIdx.length === 0) {
    // Only text (a section like "-" or "Không có"): shown as written.
    return (autoMinus && v < 0 ? '-' : '') + tokens.map((k) => (k.t === 'lit' ? k.s : k.t === 'pct' ? '%' : k.t === 'dot' ? DECIMAL : '')).join('');
  }
  const first = phIdx[0];
  const last = phIdx[phIdx.length - 1];
  const dotAt = tokens.findIndex((k, i) => k.t === 'dot' && i >= first - 1 && i <= last + 1);
  const expAt = tokens.findIndex((k) => k.t === 'exp');
  const intEnd = dotAt >= 0 ? dotAt : expAt >= 0 ? expAt : last + 1;
  const fracEnd = expAt >= 0 ? expAt : last + 1;
  const intTokens = tokens.slice(first, intEnd);
  const fracTokens = dotAt >= 0 ? tokens.slice(dotAt + 1, fracEnd) : [];
  const expTokens = expAt >= 0 ? tokens.slice(expAt + 1, last + 1) : [];
  const intPh = intTokens.filter((k) => k.t === 'ph') as { c: string }[];
  const fracPh = fracTokens.filter((k) => k.t === 'ph') as { c: string }[];
  const lastIntPh = intTokens.map((k) => k.t).lastIndexOf('ph');
  const grouping = intTokens.some((k, i) => k.t === 'comma' && i < lastIntPh);
  // Commas after the last integer digit, or after the last digit of all, divide by a thousand each.
  let scale = 0;
  if (dotAt >= 0) for (let i = intEnd - 1; i > first + lastIntPh && tokens[i].t === 'comma'; i--) scale++;
  for (let i = last + 1; tokens[i]?.t === 'comma'; i++) scale++;
  if (intTokens.some((k, i) => k.t === 'lit' && i < lastIntPh) && grouping) return null;

  let x = Math.abs(v) * 100 ** tokens.filter((k) => k.t === 'pct').length;
  x /= 1000 ** scale;
  let exponent = 0;
  if (expAt >= 0) {
    if (x !== 0) exponent = Math.floor(Math.log10(x)) - (intPh.length - 1);
    x /= 10 ** exponent;
    if (Number(fixed(x, fracPh.length)) >= 10 ** intPh.length) {
      exponent++;
      x /= 10;
    }
  }
  const [intDigitsRaw, fracDigits = ''] = fixed(x, fracPh.length).split('.');
  const intDigits = intDigitsRaw === '0' && !intPh.some((p) => p.c === '0') ? '' : intDigitsRaw;

  // Integer placeholders are filled from the right; the leftmost takes whatever is left.
  let intText = '';
  if (grouping) {
    const zeros = intPh.filter((p) => p.c === '0').length;
    intText = group(intDigits.padStart(zeros, '0'));
  } else {
    let digits = intDigits;
    const phCount = intPh.length;
    let seen = 0;
    for (let i = intTokens.length - 1; i >= 0; i--) {
      const k = intTokens[i];
      if (k.t === 'lit') intText = k.s + intText;
      else if (k.t === 'ph') {
        seen++;
        if (seen === phCount) {
          intText = (digits || (k.c === '0' ? '0' : k.c === '?' ? ' ' : '')) + intText;
          digits = '';
        } else {
          const d = digits.slice(-1);
          digits = digits.slice(0, -1);
          intText = (d || (k.c === '0' ? '0' : k.c === '?' ? ' ' : '')) + intText;
        }
      }
    }
  }
  let fracText = '';
  if (dotAt >= 0) {
    // Trailing zeros under '#' are left out, under '?' shown as spaces.
    const chars = fracDigits.split('');
    for (let i = fracPh.length - 1; i >= 0 && chars[i] === '0' && fracPh[i].c !== '0'; i--) chars[i] = fracPh[i].c === '?' ? ' ' : '';
    let at = 0;
    for (const k of fracTokens) fracText += k.t === 'ph' ? chars[at++] : k.t === 'lit' ? k.s : '';
    fracText = DECIMAL + fracText;
  }
  let expText = '';
  if (expAt >= 0) {
    const expPh = expTokens.filter((k) => k.t === 'ph').length;
    const plus = (tokens[expAt] as { plus: boolean }).plus;
    expText = 'E' + (exponent < 0 ? '-' : plus ? '+' : '') + String(Math.abs(exponent)).padStart(expPh, '0');
  }
  const before = tokens
    .slice(0, first)
    .map((k) => (k.t === 'lit' ? k.s : k.t === 'pct' ? '%' : ''))
    .join('');
  const after = tokens
    .slice(last + 1)
    .map((k) => (k.t === 'lit' ? k.s : k.t === 'pct' ? '%' : ''))
    .join('');
  const body = intText + fracText + expText;
  const minus = autoMinus && v < 0 && /[1-9]/.test(body) ? '-' : '';
  return minus + before + body + after;
}

// Serial day numbers and instants converted as exceljs does (utils.excelToDate), which is
// right from 01/03/1900 on; before that Excel counts the 29/02/1900 that never was.
const epoch = (date1904: boolean) => (date1904 ? EPOCH_1904 : EPOCH_1900);
const serialToDate = (serial: number, date1904: boolean) => new Date(epoch(date1904) + Math.round(serial * DAY_MS));
const dateToSerial = (d: Date, date1904: boolean) => (d.getTime() - epoch(date1904)) / DAY_MS;
const showsDay = (tokens: Token[]) => tokens.some((k) => k.t === 'date' && (k.c === 'y' || k.c === 'd' || k.c === 'e' || (k.c === 'm' && k.n > 2)));

function dateSection(tokens: Token[], date: Date, serial: number): string | null {
  if (tokens.some((k) => k.t === 'unsupported' || k.t === 'ph' || k.t === 'exp')) return null;
  const subsec = tokens.reduce((n, k) => (k.t === 'subsec' ? Math.max(n, k.n) : n), 0);
  // Rounded to what the format shows of a second, then each field truncated, as Excel does.
  const unit = 1000 / 10 ** subsec;
  const ms = Math.round(date.getTime() / unit) * unit;
  const d = new Date(ms);
  const elapsedMs = Math.round((serial * DAY_MS) / unit) * unit;
  const twelve = tokens.some((k) => k.t === 'ampm');
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const isTime = (k: Token | undefined) => k?.t === 'date' && (k.c === 'h' || k.c === 's');
  const datesOnly = tokens.filter((k) => k.t === 'date' || k.t === 'elapsed');
  let out = '';
  for (const k of tokens) {
    if (k.t === 'lit') out += k.s;
    else if (k.t === 'dot') out += '.';
    else if (k.t === 'comma') out += ',';
    else if (k.t === 'slash') out += '/';
    else if (k.t === 'pct') out += '%';
    else if (k.t === 'ampm') out += d.getUTCHours() < 12 ? (k.short ? 'S' : 'SA') : k.short ? 'C' : 'CH';
    else if (k.t === 'subsec') out += DECIMAL + pad(d.getUTCMilliseconds(), 3).slice(0, k.n);
    else if (k.t === 'elapsed') {
      const total = Math.floor(elapsedMs / (k.c === 'h' ? 3_600_000 : k.c === 'm' ? 60_000 : 1000));
      out += pad(total, k.n);
    } else if (k.t === 'date') {
      const at = datesOnly.indexOf(k);
      const minute = k.c === 'm' && k.n <= 2 && (isTime(datesOnly[at - 1]) || datesOnly[at - 1]?.t === 'elapsed' || isTime(datesOnly[at + 1]));
      if (k.c === 'y' || k.c === 'e') out += k.n <= 2 && k.c === 'y' ? pad(d.getUTCFullYear() % 100, 2) : String(d.getUTCFullYear());
      else if (minute) out += pad(d.getUTCMinutes(), k.n);
      else if (k.c === 'm') out += k.n <= 2 ? pad(d.getUTCMonth() + 1, k.n) : k.n === 5 ? VI_MONTH.format(d).slice(0, 1) : VI_MONTH.format(d);
      else if (k.c === 'd') out += k.n <= 2 ? pad(d.getUTCDate(), k.n) : (k.n === 3 ? VI_DAY_SHORT : VI_DAY_LONG).format(d);
      else if (k.c === 'h') {
        const h = d.getUTCHours();
        out += pad(twelve ? h % 12 || 12 : h, Math.min(k.n, 2));
      } else out += pad(d.getUTCSeconds(), Math.min(k.n, 2));
    }
  }
  return out;
}

/** Picks the section Excel uses for a number: [≥0, <0] or [>0, <0, =0]; a text-only 4th is skipped. */
function pickSection(sections: Token[][], v: number): { tokens: Token[]; autoMinus: boolean } {
  const numeric = sections.filter((s, i) => i < 3 && !(s.some((k) => k.t === 'at') && i > 0));
  if (numeric.length <= 1 || v > 0) return { tokens: numeric[0] ?? [], autoMinus: numeric.length <= 1 };
  if (v < 0) return { tokens: numeric[1], autoMinus: false };
  return { tokens: numeric[2] ?? numeric[0], autoMinus: false };
}

/** A number (or a Date exceljs made from one) shown through `numFmt`. */
export function showValue(value: number | Date, numFmt: string | undefined, date1904 = false): Shown {
  const format = LOCALE_FORMATS[numFmt ?? ''] ?? (numFmt || 'General');
  const serial = value instanceof Date ? dateToSerial(value, date1904) : value;
  const general = (): Shown => ({ text: value instanceof Date ? dateFallback(value) : generalNumber(value), exact: false });
  let sections: Token[][];
  try {
    sections = tokenize(format);
  } catch {
    return general();
  }
  if (sections.some((s) => s.some((k) => k.t === 'unsupported'))) return general();
  const { tokens, autoMinus } = pickSection(sections, serial);
  if (isDateSection(tokens)) {
    // Excel shows ##### for a negative date; days before 01/03/1900 exceljs misplaces by one.
    if (!Number.isFinite(serial) || serial < 0 || (!date1904 && serial >= 1 && serial < 61 && showsDay(tokens))) return general();
    const date = value instanceof Date ? value : serialToDate(serial, date1904);
    if (Number.isNaN(date.getTime())) return general();
    const text = dateSection(tokens, date, serial);
    return text === null ? general() : { text, exact: true };
  }
  if (value instanceof Date && !tokens.length) return { text: dateFallback(value), exact: true };
  const text = numberSection(tokens, serial, autoMinus);
  return text === null ? general() : { text, exact: true };
}

/** A date with no usable format: dd/mm/yyyy, with the time when it has one. */
function dateFallback(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${d.getUTCSeconds() ? `:${pad(d.getUTCSeconds())}` : ''}`;
  if (d.getTime() % DAY_MS === 0) return day;
  return d.getTime() >= EPOCH_1900 && d.getTime() < EPOCH_1900 + 2 * DAY_MS ? time : `${day} ${time}`;
}

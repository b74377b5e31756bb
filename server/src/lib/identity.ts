// Vietnamese phone numbers and citizen ids (CCCD), as the contest's registration needs them.

// Mobile prefixes in use since the 2018 renumbering: 03x Viettel, 05x Vietnamobile/Gmobile/Reddi,
// 07x MobiFone, 08x VinaPhone/Viettel/iTel, 09x all carriers.
/**
 * Half of a UTF-16 surrogate pair, alone: no character at all. Stored, it became U+FFFD ("��"
 * passed as a two-letter name); JSON and a UTF-16 file carry such strings, so they are refused.
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MOBILE = /^0(3[2-9]|5[2-9]|7[06-9]|8[1-9]|9[0-9])[0-9]{7}$/;

/**
 * Normalizes `+84912345678`, `84912345678`, `0912345678` (with spaces, dots or dashes)
 * to `0912345678`; returns null when it is not a Vietnamese mobile number.
 */
export function normalizePhone(input: string): string | null {
  const compact = stripInvisible(input)
    .normalize('NFKC')
    .replace(/[\s.\-()]/g, '');
  let digits: string;
  if (compact.startsWith('+84')) digits = '0' + compact.slice(3);
  else if (/^84[0-9]{9}$/.test(compact)) digits = '0' + compact.slice(2);
  else digits = compact;
  return MOBILE.test(digits) ? digits : null;
}

/** 0912345678 -> 091****678, for public lists. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 6) + phone.slice(-3);
}

/** 038123456789 -> ********6789 */
export function maskNationalId(id: string): string {
  return '*'.repeat(Math.max(0, id.length - 4)) + id.slice(-4);
}

/**
 * Citizen id (CCCD, Circular 07/2016/TT-BCA): 3 digits province code (001-096), one digit
 * for century and sex (0/1: 1900s, 2/3: 2000s, ...), two digits of the birth year, six more.
 */
export function nationalIdProblem(id: string, birthYear?: number): string | null {
  if (!/^[0-9]{12}$/.test(id)) return 'must be exactly 12 digits';
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) return 'has an unknown province code';
  if (birthYear !== undefined) {
    const century = 1900 + Math.floor(Number(id[3]) / 2) * 100;
    if (century + Number(id.slice(4, 6)) !== birthYear) return 'does not match the birth year';
  }
  return null;
}

/** Builds a well-formed CCCD for a birth year (demo data and tests). */
export function makeNationalId(birthYear: number, serial: number, provinceCode = 38, female = false): string {
  const centuryDigit = Math.floor((birthYear - 1900) / 100) * 2 + (female ? 1 : 0);
  return String(provinceCode).padStart(3, '0') + String(centuryDigit) + String(birthYear % 100).padStart(2, '0') + String(serial % 1_000_000).padStart(6, '0');
}

// C0 controls other than tab and line breaks, and DEL: Postgres cannot store U+0000 at
// all, and the others only ever arrive by accident or attack.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

// Characters that show nothing yet make two equal-looking texts differ ("Hà\u200bNội" and
// "HàNội" would pass as two options, or two questions): zero-width space and non-joiner,
// word joiner, soft hyphen, and a byte-order mark inside text (files pasted together). The
// zero-width joiner goes too, except between the parts of an emoji sequence (👩‍💻), whose
// picture it makes. (No lookbehind: the browser imports this file, older Safari cannot parse one.)
const INVISIBLE = /[\u00ad\u200b\u200c\u2060\ufeff]/g;
const EMOJI_BEFORE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** Drops the invisible characters above (every text cleaner here and the spreadsheet reader use it). */
export function stripInvisible(s: string): string {
  const out = s.replace(INVISIBLE, '');
  if (!out.includes('\u200d')) return out;
  return out.replace(/\u200d/g, (zwj: string, at: number) =>
    EMOJI_BEFORE.test(out.slice(Math.max(0, at - 2), at)) && EMOJI_AFTER.test(out.slice(at + 1, at + 3)) ? zwj : '',
  );
}

/** NFC, control and invisible characters dropped, trimmed, inner whitespace folded: what we store for any human-entered text. */
export function cleanText(s: string): string {
  return stripInvisible(s).normalize('NFC').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/**
 * Two spellings of one syllable: the old and the new place of the tone mark in oa, oe and uy
 * ("Hóa" and "Hoá", "Thủy" and "Thuỷ"; both are in use, and a keyboard or a document can mix
 * them). Moved onto the second vowel, as the new rule puts it. Only a tone directly after a
 * plain o or u, before a plain a, e or y: ô, ơ, ư and ă are other vowels, and ua, ia, ưa put
 * the tone on their first vowel in both rules.
 */
export function foldTonePlacement(s: string): string {
  return s
    .normalize('NFD')
    .replace(/([oO])([\u0300\u0301\u0303\u0309\u0323])([aAeE])(?![\u0300-\u036f])/g, '$1$3$2')
    .replace(/([uU])([\u0300\u0301\u0303\u0309\u0323])([yY])(?![\u0300-\u036f])/g, '$1$3$2')
    .normalize('NFC');
}

/** What two human texts are compared by, to tell one written twice: cleaned, lower case, one place for the tone mark. */
export const compareKey = (s: string) => foldTonePlacement(cleanText(s).toLocaleLowerCase('vi'));

/**
 * A question's stem: the single-line rule applied to each line, line breaks kept (one blank
 * line at most between two), so a stem written on several lines (a list of steps, a quoted
 * passage; the editor's textarea, Alt+Enter in a spreadsheet cell) reads as written.
 */
export function cleanLines(s: string): string {
  return stripInvisible(s)
    .normalize('NFC')
    .replace(CONTROL, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The same for multi-line text: line breaks and tabs kept. */
export function cleanLongText(s: string): string {
  return stripInvisible(s).normalize('NFC').replace(CONTROL, '').trim();
}

// The registration rules the server applies (server/src/lib/identity.ts), checked in the
// browser first so residents get an answer before a round trip on a slow connection.

const MOBILE = /^0(3[2-9]|5[2-9]|7[06-9]|8[1-9]|9[0-9])[0-9]{7}$/;

/** `+84 912 345 678`, `84912345678`, `0912.345.678` -> `0912345678`; null if not a Vietnamese mobile. */
export function normalizePhone(input: string): string | null {
  const compact = input.normalize('NFKC').replace(/[\s.\-()]/g, '');
  let digits: string;
  if (compact.startsWith('+84')) digits = '0' + compact.slice(3);
  else if (/^84[0-9]{9}$/.test(compact)) digits = '0' + compact.slice(2);
  else digits = compact;
  return MOBILE.test(digits) ? digits : null;
}

export type NationalIdProblem = 'format' | 'province' | 'birthYear';

/** CCCD: 12 digits, province 001-096, then the century/sex digit and two digits of the birth year. */
export function nationalIdProblem(raw: string, birthYear?: number): NationalIdProblem | null {
  const id = raw.replace(/\s/g, '');
  if (!/^[0-9]{12}$/.test(id)) return 'format';
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) return 'province';
  if (birthYear !== undefined && Number.isInteger(birthYear)) {
    const century = 1900 + Math.floor(Number(id[3]) / 2) * 100;
    if (century + Number(id.slice(4, 6)) !== birthYear) return 'birthYear';
  }
  return null;
}

export type PasswordProblem = 'short' | 'samePhone' | 'oneChar';

export function passwordProblem(password: string, phone?: string): PasswordProblem | null {
  if (password.length < 8) return 'short';
  if (/^(.)\1+$/.test(password)) return 'oneChar';
  if (phone && normalizePhone(password) !== null && normalizePhone(password) === normalizePhone(phone)) return 'samePhone';
  return null;
}

export function birthYearProblem(y: number, now = new Date()): boolean {
  return !Number.isInteger(y) || y < 1900 || y > now.getUTCFullYear();
}

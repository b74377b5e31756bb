// The registration rules the server applies (server/src/lib/identity.ts), checked in the
// browser first so residents get an answer before a round trip on a slow connection.

// The phone rule has one home, the server's (a module with no imports, safe in the browser);
// the other rules here answer in the user's language.
import { normalizePhone } from '../../../server/src/lib/identity';

export { normalizePhone };

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

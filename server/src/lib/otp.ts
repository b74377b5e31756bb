import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** API.md v1.1: 6 digits, valid 5 minutes, 5 tries. */
export const OTP_DIGITS = 6;
export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_TRIES = 5;
/** Per phone, whatever the purpose and whether or not the phone has an account. */
export const OTP_MIN_INTERVAL_MS = 60_000;
export const OTP_PER_DAY = 5;
/** Sending: the first try and one retry this long after. */
export const OTP_SEND_ATTEMPTS = 2;
export const OTP_RETRY_AFTER_MS = 2_000;
/** How long a claimed outbox row is left to the process that claimed it before another may try. */
export const OTP_CLAIM_LEASE_MS = 30_000;

// Vietnamese without tone marks: SMS brandname gateways bill Unicode messages per 70 characters
// and some carriers reject them; OTP_MESSAGE_TEMPLATE may say it with marks.
export const DEFAULT_OTP_TEMPLATE = 'Ma xac thuc cua ban la {code}. Ma co hieu luc trong 5 phut. Khong chia se ma nay cho bat ky ai.';

export type OtpPurpose = 'reset' | 'register';

export function newCode(): string {
  return String(randomInt(0, 10 ** OTP_DIGITS)).padStart(OTP_DIGITS, '0');
}

/** The keys of the OTP store, derived from the server secret (one secret to keep). */
export function otpKeys(secret: string) {
  return {
    mac: createHmac('sha256', secret).update('otp-code-v1').digest(),
    seal: createHmac('sha256', secret).update('otp-outbox-v1').digest(),
  };
}

/** What is stored of a code: an HMAC bound to the phone and purpose (a leaked table does not give codes away). */
export function hashCode(macKey: Buffer, phone: string, purpose: OtpPurpose, code: string): string {
  return createHmac('sha256', macKey).update(`${purpose}:${phone}:${code}`).digest('base64url');
}

export function codeMatches(macKey: Buffer, phone: string, purpose: OtpPurpose, code: string, stored: string): boolean {
  const a = Buffer.from(hashCode(macKey, phone, purpose, code));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A code as a resident types it: digits only (spaces and dashes from an SMS are dropped). */
export function normalizeCode(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '');
  return new RegExp(`^[0-9]{${OTP_DIGITS}}$`).test(digits) ? digits : null;
}

export function renderMessage(template: string, code: string): string {
  return template.includes('{code}') ? template.replaceAll('{code}', code) : `${template} ${code}`;
}

/** AES-256-GCM: the outbox keeps a message only until it is sent, and never in clear text. */
export function sealMessage(key: Buffer, message: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(message, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

export function openMessage(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}

import { api as appApi, ApiError, type Api } from '../api';
import * as authApi from '../api/auth';
import { errorText } from '../errors';
import { i18n } from '../i18n/index.svelte';
import { normalizePhone } from '../validation';

export type OtpPurpose = authApi.OtpPurpose;

/** GET /auth/options. */
export type AuthOptions = authApi.AuthOptions;

/** The server allows one code a minute per phone; the resend button waits as long. */
export const RESEND_COOLDOWN_MS = 60_000;
export const CODE_DIGITS = 6;

/** `123 456` or `123-456` -> `123456` (the server accepts the same); null unless 6 digits. */
export function normalizeCode(input: string): string | null {
  const digits = input.normalize('NFKC').replace(/[\s-]/g, '');
  return new RegExp(`^[0-9]{${CODE_DIGITS}}$`).test(digits) ? digits : null;
}

/** Unknown (offline, older server): the SMS flows are shown and the server's answer decides. */
export async function loadAuthOptions(api: Api = appApi): Promise<AuthOptions | null> {
  try {
    return await authApi.options(api);
  } catch {
    return null;
  }
}

export type SendOutcome = 'sent' | 'limited' | 'unavailable' | 'badPhone' | 'failed';

/**
 * Asking for a one-time code, and when asking again is allowed. The wait belongs to the
 * phone it was asked for: after a 202 one minute, after a 429 the server's Retry-After.
 */
export class CodeRequest {
  sending = $state(false);
  /** The normalized phone the last code (or refusal) was for. */
  phone = $state<string | null>(null);
  /** The last refusal or failure, for the page to word. */
  error = $state<unknown>(null);
  private until = $state(0);
  private clock = $state(0);
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private purpose: OtpPurpose,
    private api: Api = appApi,
    private now: () => number = () => Date.now(),
  ) {
    this.clock = now();
  }

  /** Whole seconds before another code may be asked for `phone` (0: now). */
  waitSeconds(phone?: string): number {
    if (phone !== undefined && normalizePhone(phone) !== this.phone) return 0;
    return Math.max(0, Math.ceil((this.until - this.clock) / 1000));
  }

  async send(rawPhone: string): Promise<SendOutcome> {
    const phone = normalizePhone(rawPhone);
    if (!phone) return 'badPhone';
    if (this.sending) return 'failed';
    this.sending = true;
    this.error = null;
    try {
      // Not retried: every request counts against the phone's daily five.
      await authApi.requestCode(phone, this.purpose, this.api);
      this.phone = phone;
      this.startCooldown(RESEND_COOLDOWN_MS);
      return 'sent';
    } catch (err) {
      this.error = err;
      if (!(err instanceof ApiError)) return 'failed';
      if (err.status === 429) {
        this.phone = phone;
        this.startCooldown((err.retryAfter ?? RESEND_COOLDOWN_MS / 1000) * 1000);
        return 'limited';
      }
      if (err.status === 503) return 'unavailable';
      if (err.code === 'VALIDATION_FAILED') return 'badPhone';
      return 'failed';
    } finally {
      this.sending = false;
    }
  }

  /** Moves the countdown on; the page's ticker calls it (tests call it with their own clock). */
  tick() {
    this.clock = this.now();
    if (this.clock >= this.until) this.stopTimer();
  }

  dispose() {
    this.stopTimer();
  }

  private startCooldown(ms: number) {
    this.clock = this.now();
    this.until = this.clock + ms;
    if (!this.timer && typeof setInterval !== 'undefined') this.timer = setInterval(() => this.tick(), 1000);
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A wait in the largest unit that reads naturally: 45 -> seconds, 600 -> minutes, 7200 -> hours (rounded up). */
export function waitParts(seconds: number): { unit: 'seconds' | 'minutes' | 'hours'; n: number } {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 90) return { unit: 'seconds', n: s };
  if (s < 90 * 60) return { unit: 'minutes', n: Math.ceil(s / 60) };
  return { unit: 'hours', n: Math.ceil(s / 3600) };
}

/** What to tell the resident when a code was not sent. */
export function sendErrorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 429) {
    const { unit, n } = waitParts(err.retryAfter ?? RESEND_COOLDOWN_MS / 1000);
    return i18n.t('otp.limited', { wait: i18n.t(`otp.wait.${unit}`, { n }) });
  }
  if (err instanceof ApiError && err.status === 503) return i18n.t('otp.unavailable');
  return errorText(err);
}

import type { OtpPurpose } from '../../lib/otp';

export interface OtpMessage {
  phone: string;
  message: string;
  purpose: OtpPurpose;
}

/** Where codes go: an SMS gateway or a Zalo ZNS relay (http), or the log in development (console). */
export interface OtpSender {
  readonly kind: 'console' | 'http';
  send(m: OtpMessage): Promise<void>;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/** Development only (refused in production): the code goes to the server log, clearly marked. */
export class ConsoleSender implements OtpSender {
  readonly kind = 'console' as const;
  constructor(private log: Logger) {}
  async send(m: OtpMessage) {
    this.log.warn({ otp: { phone: m.phone, purpose: m.purpose } }, `[OTP — DEVELOPMENT ONLY, NOT SENT] ${m.phone}: ${m.message}`);
  }
}

/**
 * POST { phone, message, purpose } as JSON to the gateway with a bearer token, the shape
 * an SMS gateway or a Zalo ZNS relay takes. A non-2xx answer or no answer within the
 * timeout is a failure (the outbox retries once, then gives the code up).
 */
export class HttpSender implements OtpSender {
  readonly kind = 'http' as const;
  constructor(
    private url: string,
    private token: string,
    private timeoutMs = 5_000,
  ) {}

  async send(m: OtpMessage) {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ phone: m.phone, message: m.message, purpose: m.purpose }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // The body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`OTP gateway answered ${res.status}`);
  }
}

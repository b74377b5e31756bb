import type { Db } from '../../../../db/client';
import { badRequest, tooManyRequests } from '../../lib/errors';
import { maskPhone } from '../../lib/identity';
import { OutageLog } from '../../lib/outage-log';
import { withTimeout } from '../../lib/timeout';
import {
  codeMatches,
  DEFAULT_OTP_TEMPLATE,
  hashCode,
  newCode,
  normalizeCode,
  openMessage,
  OTP_CLAIM_LEASE_MS,
  OTP_MAX_TRIES,
  OTP_MIN_INTERVAL_MS,
  OTP_PER_DAY,
  OTP_RETRY_AFTER_MS,
  OTP_SEND_ATTEMPTS,
  OTP_TTL_MS,
  otpKeys,
  renderMessage,
  sealMessage,
  type OtpPurpose,
} from '../../lib/otp';
import * as repo from './otp.repo';
import type { OtpSender } from './otp.sender';

export interface OtpOptions {
  sender: OtpSender | null;
  template?: string;
  /** How often each process looks for messages left to send (its own are sent at once). */
  pollMs?: number;
  /** REGISTRATION_OTP=on: registration asks for a code. Off, a "register" code could be used for nothing, so none is sent. */
  registration?: boolean;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const DAY_MS = 86_400_000;
export const otpInvalid = () =>
  badRequest('OTP_INVALID', 'The code is wrong, expired or already used: ask for a new one', [{ field: 'body.code', message: 'invalid' }]);

/**
 * One-time codes: issued into Postgres with their message in an outbox, in one
 * transaction; sent after the answer by whichever process claims the message first.
 */
export class OtpService {
  private keys: ReturnType<typeof otpKeys>;
  private template: string;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  /** The outbox's passes fail all together while Postgres is down: one line an outage, not one a pass. */
  private passes: OutageLog;

  constructor(
    private db: Db,
    secret: string,
    private opts: OtpOptions,
    private log: Logger,
    private now: () => Date = () => new Date(),
  ) {
    this.keys = otpKeys(secret);
    this.template = opts.template ?? DEFAULT_OTP_TEMPLATE;
    this.passes = new OutageLog(log, 'OTP outbox pass', () => this.now().getTime());
  }

  get enabled() {
    return this.opts.sender !== null;
  }

  start() {
    if (!this.opts.sender) return;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1_000);
    this.timer.unref();
  }

  async close() {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // A pass in flight may finish; a stop does not wait longer than a few seconds for it.
    if (this.draining) await withTimeout(this.draining, 3_000, 'OTP outbox pass').catch(() => {});
  }

  /**
   * Answers the same for every phone (the route says 202): a code is made only for a
   * phone that can use it (`codeUsable`: a resident's account for "reset", none yet for
   * "register"), yet every request counts against the phone's limits, which are checked first.
   */
  async request(phone: string, purpose: OtpPurpose, codeUsable: (db: Db) => Promise<boolean>): Promise<void> {
    const now = this.now();
    await this.db.transaction(async (tx) => {
      await repo.lockPhone(tx, phone);
      const recent = await repo.recentRequests(tx, phone, new Date(now.getTime() - DAY_MS));
      if (recent.lastMs !== null && now.getTime() - recent.lastMs < OTP_MIN_INTERVAL_MS)
        throw tooManyRequests((recent.lastMs + OTP_MIN_INTERVAL_MS - now.getTime()) / 1000, 'One code a minute: wait before asking again');
      if (recent.count >= OTP_PER_DAY && recent.firstMs !== null)
        throw tooManyRequests((recent.firstMs + DAY_MS - now.getTime()) / 1000, 'Five codes a day for one phone number: try again tomorrow');
      // No provider: nothing could deliver a code, so none is made (the answer stays the contract's 202).
      // A register code only where registration asks for one: off, it would be an SMS paid for
      // nothing, sent to any number someone types (the answer stays the same 202).
      const usable = this.opts.sender !== null && (purpose === 'reset' || this.opts.registration === true) && (await codeUsable(tx));
      const code = usable ? newCode() : null;
      const codeId = await repo.insertCode(tx, {
        phone,
        purpose,
        codeHash: code ? hashCode(this.keys.mac, phone, purpose, code) : null,
        expiresAt: new Date(now.getTime() + OTP_TTL_MS),
        createdAt: now,
      });
      if (code) await repo.insertOutbox(tx, { codeId, phone, purpose, sealed: sealMessage(this.keys.seal, renderMessage(this.template, code)) });
    });
    // After the commit, and not awaited: the answer never waits for (or tells of) the gateway.
    this.kick();
  }

  /**
   * Checks and uses up the latest code of the phone for the purpose, inside `tx`: a right
   * code is marked used, a wrong one costs a try (the fifth burns it). The caller commits
   * either way and answers OTP_INVALID when this returns false.
   */
  async consume(tx: Db, phone: string, purpose: OtpPurpose, input: string): Promise<boolean> {
    const now = this.now();
    const code = normalizeCode(input);
    const row = await repo.latestCodeForUpdate(tx, phone, purpose);
    if (!row || row.usedAt || row.burnedAt || row.expiresAt <= now || row.tries >= OTP_MAX_TRIES) return false;
    // A request that made no code (no account, a staff phone) has a row without one: its try
    // is counted all the same, so a wrong code costs the same write, and the same time, for
    // a phone with an account as for one without (no enumeration by timing).
    if (code && row.codeHash && codeMatches(this.keys.mac, phone, purpose, code, row.codeHash)) {
      await repo.markUsed(tx, row.id, now);
      return true;
    }
    await repo.countWrongTry(tx, row.id, OTP_MAX_TRIES, now);
    return false;
  }

  /**
   * Runs `then` only with a right code, in the transaction that uses the code up; a wrong
   * code's try is committed and the answer is 400 OTP_INVALID, with nothing else changed.
   */
  async withCode<T>(phone: string, purpose: OtpPurpose, code: string, then: (tx: Db) => Promise<T>): Promise<T> {
    const out = await this.db.transaction(async (tx) => ((await this.consume(tx, phone, purpose, code)) ? { value: await then(tx) } : null));
    if (!out) throw otpInvalid();
    return out.value;
  }

  /** Sends what is due now; concurrent kicks share one pass. */
  kick() {
    if (!this.opts.sender || this.closed || this.draining) return;
    // Bounded: a pass left pending would stop the outbox (claims are leased, so a later pass
    // sends what this one had claimed once the lease ends).
    this.draining = withTimeout(this.drain(), OTP_CLAIM_LEASE_MS, 'OTP outbox pass')
      .then(
        () => this.passes.succeeded(),
        (err: unknown) => this.passes.failed(err),
      )
      .finally(() => {
        this.draining = null;
      });
  }

  private async drain() {
    const sender = this.opts.sender!;
    for (;;) {
      const due = await repo.claimDue(this.db, 20, OTP_CLAIM_LEASE_MS);
      if (!due.length) return;
      await Promise.all(
        due.map(async (m) => {
          try {
            if (!m.sealed) throw new Error('message already emptied');
            await sender.send({ phone: m.phone, purpose: m.purpose, message: openMessage(this.keys.seal, m.sealed) });
            await repo.markSent(this.db, m.id);
          } catch (err) {
            if (m.attempts >= OTP_SEND_ATTEMPTS || !m.sealed) {
              this.log.error({ err, outboxId: m.id, maskedPhone: maskPhone(m.phone), purpose: m.purpose }, 'OTP could not be delivered: its code is given up');
              await repo.markFailed(this.db, m.id, m.code_id);
            } else {
              this.log.warn({ err, outboxId: m.id, maskedPhone: maskPhone(m.phone), purpose: m.purpose }, 'OTP send failed; one retry follows');
              await repo.retryLater(this.db, m.id, OTP_RETRY_AFTER_MS);
              setTimeout(() => this.kick(), OTP_RETRY_AFTER_MS + 50).unref();
            }
          }
        }),
      );
    }
  }
}

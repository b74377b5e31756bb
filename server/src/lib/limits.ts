/** Throttle budgets: hits per window. Passed to buildApp, so a deployment (or a test) can tune them. */
export interface Limits {
  loginPerIp: { limit: number; windowMs: number };
  /** Failed logins per address: past it, logins from there wait (no password is checked). */
  loginFailuresPerIp: { limit: number; windowMs: number };
  /** One-time code requests per address (each phone also has its own limits, in Postgres). */
  otpPerIp: { limit: number; windowMs: number };
  /** Password resets by code per address: 6 digits must not be guessed across many phones. */
  otpVerifyPerIp: { limit: number; windowMs: number };
  /** Wrong current passwords per account on POST /auth/password (a stolen token guessing the password). */
  passwordChangePerUser: { limit: number; windowMs: number };
  registerPerIp: { limit: number; windowMs: number };
  /** Attempt starts per user (a resume counts too: a client retrying in a loop is throttled). */
  startPerUser: { limit: number; windowMs: number };
  /** Submits per user. */
  submitPerUser: { limit: number; windowMs: number };
  /**
   * Starts and submits per address. Generous: mobile carriers put thousands of residents
   * behind one address, so this only stops a single machine flooding the hot path.
   */
  hotPathPerIp: { limit: number; windowMs: number };
}

export const defaultLimits: Limits = {
  // Per address, generous for the same reason as the hot path (carrier NAT in front of a
  // whole office); guessing one account's password is stopped by the per-phone failure count (auth.service login), and mass
  // registration by the proof of work.
  loginPerIp: { limit: 6_000, windowMs: 60_000 },
  registerPerIp: { limit: 1_200, windowMs: 60_000 },
  // Typos of a whole office behind one carrier address fit; a password sprayer from one machine does not.
  loginFailuresPerIp: { limit: 1_000, windowMs: 10 * 60_000 },
  passwordChangePerUser: { limit: 10, windowMs: 15 * 60_000 },
  otpPerIp: { limit: 300, windowMs: 10 * 60_000 },
  otpVerifyPerIp: { limit: 300, windowMs: 10 * 60_000 },
  startPerUser: { limit: 20, windowMs: 60_000 },
  submitPerUser: { limit: 30, windowMs: 60_000 },
  // A province's synchronized start behind one carrier NAT is ~10,000 starts and as many
  // submits within minutes; this leaves room for that and still stops a flood from one machine.
  hotPathPerIp: { limit: 100_000, windowMs: 60_000 },
};

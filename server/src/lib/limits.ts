/** Throttle budgets: hits per window. Passed to buildApp, so a deployment (or a test) can tune them. */
export interface Limits {
  loginPerPhone: { limit: number; windowMs: number };
  loginPerIp: { limit: number; windowMs: number };
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
  loginPerPhone: { limit: 10, windowMs: 60_000 },
  // Per address, generous for the same reason as the hot path (carrier NAT in front of a
  // whole office); guessing one account's password is stopped by loginPerPhone, and mass
  // registration by the proof of work.
  loginPerIp: { limit: 6_000, windowMs: 60_000 },
  registerPerIp: { limit: 1_200, windowMs: 60_000 },
  startPerUser: { limit: 20, windowMs: 60_000 },
  submitPerUser: { limit: 30, windowMs: 60_000 },
  // A province's synchronized start behind one carrier NAT is ~10,000 starts and as many
  // submits within minutes; this leaves room for that and still stops a flood from one machine.
  hotPathPerIp: { limit: 100_000, windowMs: 60_000 },
};

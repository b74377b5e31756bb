/** Failed logins per phone (API.md v1.1 clarifications): free up to this many. */
export const FREE_LOGIN_FAILURES = 5;
/** The wait after the last free failure; each further failure doubles it… */
export const FIRST_LOGIN_DELAY_MS = 30_000;
/** …up to this. */
export const MAX_LOGIN_DELAY_MS = 15 * 60_000;
/** A phone whose last failure is this old starts counting again from zero. */
export const LOGIN_FAILURES_FORGET_MS = 24 * 3_600_000;

/** How long the next login must wait after the `failures`-th failure in a row (0: no wait). */
export function loginDelayMs(failures: number): number {
  if (failures < FREE_LOGIN_FAILURES) return 0;
  const doublings = failures - FREE_LOGIN_FAILURES;
  return doublings >= 15 ? MAX_LOGIN_DELAY_MS : Math.min(MAX_LOGIN_DELAY_MS, FIRST_LOGIN_DELAY_MS * 2 ** doublings);
}

/**
 * loginDelayMs(1), loginDelayMs(2), … up to where it stops growing (every later failure
 * waits the last one): the rule as a table, for the statement that counts a login in Postgres.
 */
export const LOGIN_DELAYS_MS: readonly number[] = Array.from({ length: FREE_LOGIN_FAILURES + 16 }, (_, i) => loginDelayMs(i + 1));

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

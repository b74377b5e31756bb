import { afterAll, vi } from 'vitest';

const realNow = Date.now;

export interface TestClock {
  /** Real time plus whatever advance() added: the clock a test gives the app. */
  now(): number;
  /** Moves the clock forward, as if `ms` had gone by, without waiting for them. */
  advance(ms: number): void;
}

/** A clock that runs with real time and that a test moves forward instead of sleeping. */
export function testClock(): TestClock {
  let ahead = 0;
  return {
    now: () => realNow() + ahead,
    advance(ms) {
      ahead += ms;
    },
  };
}

/**
 * Makes Date.now follow `clock` in this test file, for a service that reads Date.now itself
 * rather than taking a clock; call it at the top of the file, before the app is built (a
 * service keeps the Date.now it was given). Undone after the file's tests.
 */
export function dateNowFollows(clock: TestClock): void {
  const spy = vi.spyOn(Date, 'now').mockImplementation(clock.now);
  afterAll(() => spy.mockRestore());
}

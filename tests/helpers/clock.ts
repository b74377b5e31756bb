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

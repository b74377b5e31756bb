/**
 * Participants over the headcount an organizer gave a locality or unit; null without one.
 * Six decimals, so that a province-sized headcount still shows a first few residents
 * (3 of 95,000 is 0.000032, which four decimals made 0). Live stats and the collective
 * ranking both use it.
 */
export function participationRate(participants: number, headcount: number | null): number | null {
  if (headcount === null || headcount <= 0) return null;
  return Math.round((participants / headcount) * 1_000_000) / 1_000_000;
}

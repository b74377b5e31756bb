import { api } from './api';

interface RoundMoments {
  opensAt: string;
  closesAt: string;
  sealedAt?: string | null;
  sealed?: boolean;
}

/**
 * Calls `refresh` just after the round's next moment (it opens, closes, is sealed), so a page
 * left open follows its status without a reload; the page's next read schedules the one after.
 * A round past its sealedAt by this clock that the server does not call sealed yet (clocks
 * differ, a running attempt) is asked again shortly. Returns the cancel, for an $effect.
 */
export function refreshAtNextMoment(round: RoundMoments, refresh: () => unknown): () => void {
  const now = api.serverNow();
  const moments = [round.opensAt, round.closesAt, round.sealedAt].map((s) => (s ? Date.parse(s) : NaN)).filter((at) => at > now);
  if (round.sealed === false && round.sealedAt && Date.parse(round.sealedAt) <= now) moments.push(now + 2000);
  const next = Math.min(...moments);
  // Timers beyond ~24 days overflow; nothing that far away needs one now.
  if (!Number.isFinite(next) || next - now > 2_000_000_000) return () => {};
  const timer = setTimeout(() => void refresh(), next - now + 500);
  return () => clearTimeout(timer);
}

/**
 * A round whose pool holds fewer questions than an attempt draws cannot start, even past its
 * opensAt (the server answers 409 ROUND_NOT_OPEN): what staff must hear before residents do.
 * Null when the pool is big enough, the round is over, or the size is not known (not staff).
 */
export function poolShortfall(round: { status: string; questionCount: number; poolSize?: number }): { n: number; need: number } | null {
  if (round.poolSize === undefined || round.poolSize >= round.questionCount) return null;
  if (round.status !== 'upcoming' && round.status !== 'open') return null;
  return { n: round.poolSize, need: round.questionCount };
}

/**
 * A time taken as a stopwatch shows it, to the nearest tenth of a second: 171,949 ms is
 * "2:51,9" with the Vietnamese decimal comma ("2:51.9" with a point). One rule for the signed
 * PDF prize list and every page of the web app that shows a duration. `digits` 3 keeps the
 * milliseconds ("2:51,949"): where the time breaks a tie, as on the signed list, two
 * different times must not print the same.
 */
export function formatDuration(ms: number, decimal: ',' | '.' = ',', digits: 1 | 3 = 1): string {
  const unit = digits === 3 ? 1 : 100;
  const perSecond = 1000 / unit;
  const parts = Math.round(Math.max(0, ms) / unit);
  const m = Math.floor(parts / (60 * perSecond));
  const s = Math.floor((parts % (60 * perSecond)) / perSecond);
  return `${m}:${String(s).padStart(2, '0')}${decimal}${String(parts % perSecond).padStart(digits, '0')}`;
}

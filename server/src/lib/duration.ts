/**
 * A time taken as a stopwatch shows it, to the nearest tenth of a second: 171,949 ms is
 * "2:51,9" with the Vietnamese decimal comma ("2:51.9" with a point). One rule for the signed
 * PDF prize list and every page of the web app that shows a duration.
 */
export function formatDuration(ms: number, decimal: ',' | '.' = ','): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  const m = Math.floor(tenths / 600);
  const s = Math.floor((tenths % 600) / 10);
  return `${m}:${String(s).padStart(2, '0')}${decimal}${tenths % 10}`;
}

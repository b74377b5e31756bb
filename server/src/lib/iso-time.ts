/**
 * `new Date(ms).toISOString()`, the same string, without formatting the date each time: the
 * text up to the seconds is kept for the last second asked, so the hot path (a submit's
 * result and its row, all stamped within the same second or so) only appends the
 * milliseconds. V8 formats a date through printf, about half a microsecond a call.
 * Anything but a whole number of ms in Date's range goes to Date itself (same result, or
 * the same RangeError).
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function isoString(ms: number): string {
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    // Whole seconds end in ".000Z"; what comes before is the same for the whole second.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return cachedPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

/** Date's range: ±100,000,000 days from the epoch. */
const MAX_DATE_MS = 8.64e15;

// Contest times are entered and shown in Vietnam time (UTC+7, no daylight saving),
// whatever zone the organizer's computer is set to.
const OFFSET_MS = 7 * 3_600_000;

/** ISO instant -> `YYYY-MM-DDTHH:mm` for <input type="datetime-local">, in Vietnam time. */
export function toVnInput(iso: string | number | Date): string {
  const d = new Date(new Date(iso).getTime() + OFFSET_MS);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(0, 16);
}

/** `YYYY-MM-DDTHH:mm` read as Vietnam time -> ISO instant; null when not a date. */
export function fromVnInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - OFFSET_MS;
  return Number.isNaN(utc) ? null : new Date(utc).toISOString();
}

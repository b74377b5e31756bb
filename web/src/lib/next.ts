/**
 * Where to go after signing in (or changing a forced password): `?next=` when it is a path
 * of this app, else null. Never another site: "//host", "/\host" (browsers read a backslash
 * as a slash) and paths with control characters ("/%09/host") are refused, as is anything
 * whose resolved origin is not ours.
 */
export function safeNext(raw: string | null, origin = 'http://app.invalid'): string | null {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(raw)) return null;
  try {
    const url = new URL(raw, origin);
    return url.origin === origin ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

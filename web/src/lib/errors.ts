import { ApiError } from './api';
import { i18n, type MessageKey } from './i18n/index.svelte';

/** A sentence for the user, in their language, for any error an API call can throw. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `error.${err.code}`;
    if (i18n.has(key)) return i18n.t(key as MessageKey, { seconds: Math.ceil(err.retryAfter ?? 5) });
    if (err.status >= 500) return i18n.t('error.server');
    return i18n.locale === 'vi' ? `${i18n.t('error.generic')} (${err.code})` : err.message;
  }
  return i18n.t('error.generic');
}

/**
 * The reference a resident reads out to the help desk: the request id of an answer the
 * server gave (it is in the server's logs). None for other errors: a request that never
 * arrived left nothing to look up.
 */
export function errorReference(err: unknown): string | null {
  return err instanceof ApiError && err.status > 0 && err.requestId ? err.requestId : null;
}

/** Field messages from a VALIDATION_FAILED answer, keyed by field (`phone`, `nationalId`...). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const f of err.fields) {
    const key = `field.${f.field}`;
    out[f.field] ??= i18n.has(key) ? i18n.t(key as MessageKey) : f.message;
  }
  return out;
}

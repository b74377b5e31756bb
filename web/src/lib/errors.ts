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
    out[f.field] ??= i18n.has(key) ? i18n.t(key as MessageKey) : validationText(f.message);
  }
  return out;
}

/** zod's messages (the server's field details) as a sentence in the reader's language. */
export function validationText(message: string): string {
  if (i18n.locale === 'en') return message;
  const n = (re: RegExp) => message.match(re)?.[1];
  let m: string | undefined;
  if ((m = n(/^Too small: expected string to have >=?(\d+) characters?$/))) return i18n.t('validation.minChars', { n: m });
  if ((m = n(/^Too big: expected string to have <=?(\d+) characters?$/))) return i18n.t('validation.maxChars', { n: m });
  if ((m = n(/^Too small: expected (?:number|int) to be >=?(-?[\d.]+)$/))) return i18n.t('validation.min', { n: m });
  if ((m = n(/^Too big: expected (?:number|int) to be <=?(-?[\d.]+)$/))) return i18n.t('validation.max', { n: m });
  if ((m = n(/^Too small: expected array to have >=?(\d+) items?$/))) return i18n.t('validation.minItems', { n: m });
  if ((m = n(/^Too big: expected array to have <=?(\d+) items?$/))) return i18n.t('validation.maxItems', { n: m });
  return i18n.t('validation.invalid');
}

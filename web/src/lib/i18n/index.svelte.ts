import { en } from './en';
import { LOCALE_KEY, pickLocale, translate, type Locale } from './translate';
import { vi, type MessageKey } from './vi';

export type { Locale, MessageKey };
import { formatDuration as durationIn } from './translate';
export { formatClock, formatCountdown, formatDateTime, formatMinutesSeconds, formatNumber, formatPercent } from './translate';

const dicts = { vi, en };

function stored(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_KEY);
  } catch {
    return null;
  }
}

class I18n {
  locale = $state<Locale>(pickLocale(stored()));

  constructor() {
    if (typeof document !== 'undefined') document.documentElement.lang = this.locale;
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => translate(dicts, this.locale, key, params);

  /** Whether a key exists (error codes map to `error.CODE` when we have a message for them). */
  has = (key: string): key is MessageKey => key in vi;

  set(locale: Locale) {
    this.locale = locale;
    try {
      localStorage.setItem(LOCALE_KEY, locale);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    document.documentElement.lang = locale;
  }
}

export const i18n = new I18n();
export const t = i18n.t;

/** A time taken, in the reader's language: "2:51,9" (vi), "2:51.9" (en); lib/duration.ts. */
export const formatDuration = (ms: number) => durationIn(ms, i18n.locale);

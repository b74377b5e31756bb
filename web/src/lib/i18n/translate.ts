// Pure helpers behind the i18n state (tests use them directly).
import { formatDuration as sharedDuration } from '../../../../server/src/lib/duration';

export type Locale = 'vi' | 'en';
export const LOCALE_KEY = 'ttt.locale';

/** Vietnamese unless English was chosen before. */
export function pickLocale(stored: string | null | undefined): Locale {
  return stored === 'en' ? 'en' : 'vi';
}

/** `{name}` placeholders; unknown ones stay visible so a missing parameter shows up in review. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate<K extends string>(
  dicts: Record<Locale, Record<K, string>>,
  locale: Locale,
  key: K,
  params?: Record<string, string | number>,
): string {
  return format(dicts[locale][key] ?? dicts.vi[key] ?? key, params);
}

const TZ = 'Asia/Ho_Chi_Minh';
const tag = (l: Locale) => (l === 'vi' ? 'vi-VN' : 'en-GB');

/**
 * Contest times are Vietnam times whatever the device's zone, written in full as notices
 * write them: "00:00 09/12/2026" (vi-VN's short style would give "00:00 9/12/26").
 */
export function formatDateTime(iso: string | number | Date, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(tag(locale), { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(
    d,
  );
}

export function formatNumber(n: number, locale: Locale, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(tag(locale), options).format(n);
}

/** A share as a percentage: 0.5 -> "50%", 0.0123 -> "1,23%", 0.0000316 -> "0,0032%" (a first few of a large headcount still show). */
export function formatPercent(x: number, locale: Locale): string {
  const opts: Intl.NumberFormatOptions =
    x !== 0 && Math.abs(x) < 0.01 ? { style: 'percent', maximumSignificantDigits: 2 } : { style: 'percent', maximumFractionDigits: 2 };
  return new Intl.NumberFormat(tag(locale), opts).format(x);
}

/** 75_400 ms -> "1:15"; with hours "1:02:03". */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

/** A duration in words-light form for tables: "3:05.2" (minutes:seconds.tenths). */
export function formatDuration(ms: number, locale: Locale = 'vi'): string {
  return sharedDuration(ms, locale === 'vi' ? ',' : '.');
}

/** A time limit in words: 150 -> "2 phút 30 giây" / "2 minutes 30 seconds"; whole minutes stay "10 phút". */
export function formatMinutesSeconds(seconds: number, locale: Locale): string {
  const total = Math.max(0, Math.round(seconds));
  const m = Math.floor(total / 60);
  const s = total % 60;
  const words = (n: number, vi: string, one: string, many: string) => `${n} ${locale === 'vi' ? vi : n === 1 ? one : many}`;
  const parts = [m ? words(m, 'phút', 'minute', 'minutes') : '', s || !m ? words(s, 'giây', 'second', 'seconds') : ''];
  return parts.filter(Boolean).join(' ');
}

/** Countdown to a moment, for round cards: "2 ngày 03:04:05" / "2 d 03:04:05". */
export function formatCountdown(ms: number, locale: Locale): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const rest = total % 86400;
  const hms = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60].map((x) => String(x).padStart(2, '0')).join(':');
  return d ? `${d} ${locale === 'vi' ? 'ngày' : d === 1 ? 'day' : 'days'} ${hms}` : hms;
}

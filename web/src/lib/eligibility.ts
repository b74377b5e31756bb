import { DISQUALIFIED_PREFIX, INELIGIBLE_EXCLUDED, INELIGIBLE_NOT_RESIDENT } from '../../../server/src/lib/eligibility';
import { t } from './i18n/index.svelte';

/** A ranking row's ineligible reason (server/src/lib/eligibility.ts) in the reader's language. */
export function ineligibleText(reason: string | null | undefined): string {
  if (!reason) return t('common.no');
  if (reason === INELIGIBLE_NOT_RESIDENT) return t('ranking.notResident');
  if (reason === INELIGIBLE_EXCLUDED) return t('ranking.excluded');
  if (reason.startsWith(DISQUALIFIED_PREFIX)) return t('ranking.disqualifiedFor', { reason: reason.slice(DISQUALIFIED_PREFIX.length) });
  return reason;
}

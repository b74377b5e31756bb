// Who may compete: the TypeScript twin of the SQL functions of db/migrations/0017
// (contest_excluded_users, ineligible_reason), which start_attempts, finalize and the
// collective counts use. tests/server/judging/eligibility-property.test.ts holds the SQL to it.

export const INELIGIBLE_NOT_RESIDENT = 'not_resident';
export const INELIGIBLE_EXCLUDED = 'excluded';
export const DISQUALIFIED_PREFIX = 'disqualified: ';

export interface EligibilityPerson {
  role: string;
  nationalId: string | null;
  phone: string | null;
}

/** An entry of a contest's exclusion list: a national id, a phone, or both. */
export interface ExclusionEntry {
  nationalId: string | null;
  phone: string | null;
}

/** On the contest's exclusion list: an entry names the person's national id or phone. */
export function isExcluded(person: Pick<EligibilityPerson, 'nationalId' | 'phone'>, exclusions: readonly ExclusionEntry[]): boolean {
  return exclusions.some((e) => (e.nationalId !== null && e.nationalId === person.nationalId) || (e.phone !== null && e.phone === person.phone));
}

/**
 * Why a person may not be ranked, or null. One reason only, the first that applies:
 * not a resident, then on the exclusion list (national id or phone), then disqualified.
 */
export function ineligibleReason(person: EligibilityPerson, exclusions: readonly ExclusionEntry[], disqualification: string | undefined): string | null {
  if (person.role !== 'resident') return INELIGIBLE_NOT_RESIDENT;
  if (isExcluded(person, exclusions)) return INELIGIBLE_EXCLUDED;
  if (disqualification !== undefined) return DISQUALIFIED_PREFIX + disqualification;
  return null;
}

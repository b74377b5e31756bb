// The ranking rules of API.md ("Ranking rules"), as plain functions. The judging module
// runs the same rules in SQL for speed; this is the reference the property test holds the
// SQL to, and the definition of the checksum a judge can recompute from an export.
import { createHash } from 'node:crypto';
import { ineligibleReason, type ExclusionEntry } from './eligibility';

export { DISQUALIFIED_PREFIX, INELIGIBLE_EXCLUDED, INELIGIBLE_NOT_RESIDENT, ineligibleReason } from './eligibility';

export type PredictionTarget = 'all_correct_people' | 'all_correct_entries' | 'participants' | 'entries';
export const PREDICTION_TARGETS: readonly PredictionTarget[] = ['all_correct_people', 'all_correct_entries', 'participants', 'entries'];

export interface PrizeTier {
  name: string;
  count: number;
}

export interface RankingSubmission {
  attemptId: string;
  userId: string;
  attemptNo: number;
  score: number;
  total: number;
  prediction: number;
  durationMs: number;
  submittedAt: Date;
}

/** Who a person was at finalize time, as each ranked row keeps it. */
export interface PersonSnapshot {
  fullName: string | null;
  nationalId: string | null;
  phone: string | null;
  birthYear: number | null;
  locality: string | null;
  unit: string | null;
  category: string | null;
}

export interface RankingPerson extends PersonSnapshot {
  userId: string;
  role: string;
}

export interface RankingInput {
  target: PredictionTarget;
  prizes: readonly PrizeTier[];
  /** Users who won a prize in an earlier finalized round of the contest (empty unless onePrizePerPerson). */
  priorWinners: ReadonlySet<string>;
  exclusions: readonly ExclusionEntry[];
  /** userId -> the judge's reason. */
  disqualified: ReadonlyMap<string, string>;
  people: ReadonlyMap<string, RankingPerson>;
  submissions: readonly RankingSubmission[];
}

export interface RankedRow extends PersonSnapshot {
  position: number;
  rank: number | null;
  prize: string | null;
  userId: string;
  attemptId: string;
  attemptNo: number;
  score: number;
  total: number;
  prediction: number;
  predictionError: number;
  durationMs: number;
  submittedAt: Date;
  eligible: boolean;
  ineligibleReason: string | null;
}

export interface RankingResult {
  actualCount: number;
  /** Distinct people with a submitted attempt, eligible or not. */
  participants: number;
  /** Eligible rows, i.e. rows with a rank. */
  ranked: number;
  rows: RankedRow[];
  checksum: string;
}

/** Byte order, as Postgres's "C" collation sorts: the order must not depend on a locale. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The order chain: score desc, predictionError asc, durationMs asc, submittedAt asc, attemptId asc. */
export function compareAttempts(a: RankingSubmission, b: RankingSubmission, actualCount: number): number {
  return (
    b.score - a.score ||
    Math.abs(a.prediction - actualCount) - Math.abs(b.prediction - actualCount) ||
    a.durationMs - b.durationMs ||
    a.submittedAt.getTime() - b.submittedAt.getTime() ||
    compareBytes(a.attemptId, b.attemptId)
  );
}

export function isAllCorrect(s: Pick<RankingSubmission, 'score' | 'total'>): boolean {
  return s.score === s.total;
}

/**
 * The actual count rule: what each predictionTarget counts among the eligible submissions,
 * only the all-correct ones or all of them, people (distinct users) or entries. Finalize
 * counts it in SQL from this table (judging/finalize.sql.ts actualCountIn).
 */
export const TARGET_COUNTS: Readonly<Record<PredictionTarget, { allCorrect: boolean; people: boolean }>> = {
  all_correct_people: { allCorrect: true, people: true },
  all_correct_entries: { allCorrect: true, people: false },
  participants: { allCorrect: false, people: true },
  entries: { allCorrect: false, people: false },
};

/** actualCount per predictionTarget, over eligible participants only. */
export function actualCountOf(target: PredictionTarget, eligibleSubmissions: readonly RankingSubmission[]): number {
  const { allCorrect, people } = TARGET_COUNTS[target];
  const counted = allCorrect ? eligibleSubmissions.filter(isAllCorrect) : eligibleSubmissions;
  return people ? new Set(counted.map((s) => s.userId)).size : counted.length;
}

/** The prize of the n-th (1-based) prize-taking row, or null past the last tier. */
export function prizeFor(n: number, prizes: readonly PrizeTier[]): string | null {
  let upTo = 0;
  for (const tier of prizes) {
    upTo += tier.count;
    if (n <= upTo) return tier.name;
  }
  return null;
}

export function rankRound(input: RankingInput): RankingResult {
  const reasonOf = new Map<string, string | null>();
  for (const userId of new Set(input.submissions.map((s) => s.userId))) {
    const person = input.people.get(userId);
    if (!person) throw new Error(`No person for user ${userId}`);
    reasonOf.set(userId, ineligibleReason(person, input.exclusions, input.disqualified.get(userId)));
  }
  const actualCount = actualCountOf(
    input.target,
    input.submissions.filter((s) => reasonOf.get(s.userId) === null),
  );

  const best = new Map<string, RankingSubmission>();
  for (const s of input.submissions) {
    const current = best.get(s.userId);
    if (!current || compareAttempts(s, current, actualCount) < 0) best.set(s.userId, s);
  }
  const ordered = [...best.values()].sort((a, b) => compareAttempts(a, b, actualCount));

  let rank = 0;
  let prizeSeq = 0;
  const rows = ordered.map((s, i): RankedRow => {
    const person = input.people.get(s.userId)!;
    const reason = reasonOf.get(s.userId) ?? null;
    const eligible = reason === null;
    let prize: string | null = null;
    if (eligible) {
      rank++;
      if (!input.priorWinners.has(s.userId)) prize = prizeFor(++prizeSeq, input.prizes);
    }
    return {
      position: i + 1,
      rank: eligible ? rank : null,
      prize,
      userId: s.userId,
      fullName: person.fullName,
      nationalId: person.nationalId,
      phone: person.phone,
      birthYear: person.birthYear,
      locality: person.locality,
      unit: person.unit,
      category: person.category,
      attemptId: s.attemptId,
      attemptNo: s.attemptNo,
      score: s.score,
      total: s.total,
      prediction: s.prediction,
      predictionError: Math.abs(s.prediction - actualCount),
      durationMs: s.durationMs,
      submittedAt: s.submittedAt,
      eligible,
      ineligibleReason: reason,
    };
  });
  return { actualCount, participants: best.size, ranked: rank, rows, checksum: checksumOf(rows) };
}

/**
 * The canonical row, as the checksum sees it: these fields in this order, each written as
 * text (null as the empty string, booleans as true/false, submittedAt as ISO 8601 UTC with
 * milliseconds), with `\`, tab, LF and CR escaped as \\ \t \n \r, joined by a tab and
 * ended by a LF. The checksum is the hex SHA-256 of the UTF-8 bytes of all canonical rows
 * in position order. The CSV export has exactly these columns in this order.
 */
export const CANONICAL_COLUMNS = [
  'position',
  'rank',
  'prize',
  'userId',
  'fullName',
  'nationalId',
  'phone',
  'birthYear',
  'locality',
  'unit',
  'category',
  'attemptId',
  'attemptNo',
  'score',
  'total',
  'prediction',
  'predictionError',
  'durationMs',
  'submittedAt',
  'eligible',
  'ineligibleReason',
] as const satisfies readonly (keyof RankedRow)[];

export function escapeCanonical(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export function canonicalField(v: RankedRow[keyof RankedRow]): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return escapeCanonical(v);
  return String(v);
}

export function canonicalLine(row: RankedRow): string {
  return CANONICAL_COLUMNS.map((c) => canonicalField(row[c])).join('\t') + '\n';
}

export function checksumOf(rows: Iterable<RankedRow>): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(canonicalLine(r), 'utf8');
  return h.digest('hex');
}

// Item analysis of a sealed round (API.md "Question quality and corrections"): how each
// question performed, and flags for the ones a judge should look at before prizes go out.
// The counting runs in SQL over the round's submissions (modules/items/items.repo.ts);
// `analyzeItems` below is its reference, and `statsFor` turns the counts into ratios and
// flags for both. Pure: no database, no Fastify.

/**
 * The thresholds, in one place.
 * - GROUP_PERCENT: the top and bottom groups are each floor(n · GROUP_PERCENT / 100) of the n
 *   attempts that drew the question, ranked by their score without this question (Kelley's
 *   27 %). Integer arithmetic, so SQL and TypeScript agree on every n.
 * - AMBIGUOUS_TOP_SHARE: `ambiguous` when two options each take more than this share of
 *   the top group.
 * - TOO_EASY_FACILITY / TOO_HARD_FACILITY: `too_easy` above, `too_hard` below.
 * - MIN_DRAWN_FOR_FLAGS: below this many attempts a question gets no flag at all: on a
 *   handful of attempts the ratios are noise, and a false "miskeyed" costs a judge's time.
 * `likely_miskeyed` has no threshold of its own: in the top group a wrong option is chosen
 * more often than the key, and discrimination is negative (the stronger residents do worse
 * on it than the weaker ones).
 */
export const ITEM_THRESHOLDS = {
  GROUP_PERCENT: 27,
  AMBIGUOUS_TOP_SHARE: 0.35,
  TOO_EASY_FACILITY: 0.95,
  TOO_HARD_FACILITY: 0.1,
  MIN_DRAWN_FOR_FLAGS: 20,
} as const;

export const ITEM_FLAGS = ['likely_miskeyed', 'ambiguous', 'too_easy', 'too_hard'] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];

/** Size of each of the top and bottom groups among `drawn` attempts. */
export function groupSize(drawn: number): number {
  return Math.floor((drawn * ITEM_THRESHOLDS.GROUP_PERCENT) / 100);
}

/** How many of a group of attempts with one score without the question are in the top and in the bottom group. */
export interface GroupCut {
  /** Attempts in the group. */
  size: number;
  /** Its first `top` attempts by id are in the top group. */
  top: number;
  /** Its last `bottom` attempts by id are in the bottom group. */
  bottom: number;
}

/**
 * The top and bottom groups (groupSize each) among the attempts that drew a question, given
 * how many attempts have each score without it (`sizes`: score → attempts). The attempts are
 * ranked by that score descending, then by attempt id (analyzeItems): a group of equal
 * scores lies whole in the top group, whole in the bottom one, in neither, or is cut where
 * one of them ends, and only then does the order of its attempts' ids matter.
 */
export function groupCuts(sizes: ReadonlyMap<number, number>): Map<number, GroupCut> {
  const n = [...sizes.values()].reduce((a, b) => a + b, 0);
  const k = groupSize(n);
  const clamp = (x: number, size: number) => Math.min(Math.max(x, 0), size);
  const out = new Map<number, GroupCut>();
  let above = 0;
  for (const rest of [...sizes.keys()].sort((a, b) => b - a)) {
    const size = sizes.get(rest)!;
    const below = n - above - size;
    out.set(rest, { size, top: clamp(k - above, size), bottom: clamp(k - below, size) });
    above += size;
  }
  return out;
}

export interface OptionCounts {
  optionId: string;
  correct: boolean;
  chosen: number;
  chosenTop: number;
  chosenBottom: number;
}

export interface ItemCounts {
  /** Submitted attempts that drew the question. */
  drawn: number;
  /** Of those, the ones that chose an option. */
  answered: number;
  options: OptionCounts[];
}

export interface ItemStats {
  /** Share of the attempts that drew the question and chose the keyed option; null when none drew it. */
  facility: number | null;
  /** Facility in the top group minus facility in the bottom group; null when the groups are empty. */
  discrimination: number | null;
  flags: ItemFlag[];
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Ratios and flags from the counts (the SQL and the twin both end here). */
export function statsFor(c: ItemCounts): ItemStats {
  const k = groupSize(c.drawn);
  const key = c.options.find((o) => o.correct);
  const facility = c.drawn > 0 ? (key?.chosen ?? 0) / c.drawn : null;
  const discrimination = k > 0 ? ((key?.chosenTop ?? 0) - (key?.chosenBottom ?? 0)) / k : null;
  const flags: ItemFlag[] = [];
  if (c.drawn >= ITEM_THRESHOLDS.MIN_DRAWN_FOR_FLAGS && facility !== null) {
    if (k > 0 && discrimination !== null && discrimination < 0 && c.options.some((o) => !o.correct && o.chosenTop > (key?.chosenTop ?? 0)))
      flags.push('likely_miskeyed');
    if (k > 0 && c.options.filter((o) => o.chosenTop / k > ITEM_THRESHOLDS.AMBIGUOUS_TOP_SHARE).length >= 2) flags.push('ambiguous');
    if (facility > ITEM_THRESHOLDS.TOO_EASY_FACILITY) flags.push('too_easy');
    if (facility < ITEM_THRESHOLDS.TOO_HARD_FACILITY) flags.push('too_hard');
  }
  return {
    facility: facility === null ? null : round4(facility),
    discrimination: discrimination === null ? null : round4(discrimination),
    flags,
  };
}

/** What the messages say about each flag, Vietnamese first. */
export const ITEM_FLAG_MESSAGES: Record<ItemFlag, { vi: string; en: string }> = {
  likely_miskeyed: {
    vi: 'Có thể sai đáp án: nhóm điểm cao chọn một phương án khác nhiều hơn đáp án, và độ phân biệt âm.',
    en: 'Likely miskeyed: the top group prefers another option to the key, and discrimination is negative.',
  },
  ambiguous: {
    vi: 'Có thể có hai đáp án đúng: hai phương án cùng được hơn 35% nhóm điểm cao chọn.',
    en: 'Ambiguous: two options each take over 35% of the top group.',
  },
  too_easy: { vi: 'Quá dễ: hơn 95% chọn đúng.', en: 'Too easy: over 95% chose the key.' },
  too_hard: { vi: 'Quá khó: dưới 10% chọn đúng.', en: 'Too hard: under 10% chose the key.' },
};

// ---- The reference: counts from raw attempts, as the SQL makes them ----

export interface KeyedQuestion {
  id: string;
  options: { id: string; correct: boolean }[];
  voided: boolean;
}

export interface AnalyzedAttempt {
  attemptId: string;
  /** The questions the attempt drew. */
  questionIds: readonly string[];
  answers: readonly { questionId: string; optionId: string }[];
  /** The stored score (with the current key). */
  score: number;
}

/** Byte order, as Postgres's "C" collation compares attempt ids. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Counts per question: the attempts that drew it are ranked by their score without this
 * question (score minus what this question gave them: 1 when voided or keyed), ties by
 * attempt id in byte order; the first `groupSize` are the top group, the last the bottom.
 */
export function analyzeItems(questions: readonly KeyedQuestion[], attempts: readonly AnalyzedAttempt[]): Map<string, ItemCounts> {
  const out = new Map<string, ItemCounts>();
  for (const q of questions) {
    const key = q.options.find((o) => o.correct)?.id;
    const rows = attempts
      .filter((a) => a.questionIds.includes(q.id))
      .map((a) => {
        const chosen = a.answers.find((x) => x.questionId === q.id)?.optionId ?? null;
        const gave = q.voided || (chosen !== null && chosen === key) ? 1 : 0;
        return { attemptId: a.attemptId, chosen, rest: a.score - gave };
      })
      .sort((x, y) => y.rest - x.rest || byBytes(x.attemptId, y.attemptId));
    const k = groupSize(rows.length);
    const options: OptionCounts[] = q.options.map((o) => ({ optionId: o.id, correct: o.correct, chosen: 0, chosenTop: 0, chosenBottom: 0 }));
    rows.forEach((r, i) => {
      const o = options.find((x) => x.optionId === r.chosen);
      if (!o) return;
      o.chosen++;
      if (i < k) o.chosenTop++;
      if (i >= rows.length - k) o.chosenBottom++;
    });
    out.set(q.id, { drawn: rows.length, answered: rows.filter((r) => r.chosen !== null && options.some((o) => o.optionId === r.chosen)).length, options });
  }
  return out;
}

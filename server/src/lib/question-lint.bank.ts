import { LINT_THRESHOLDS, type BankLintWarning, type LintQuestion, type LintWarning } from './question-lint.thresholds';
import { compareKey } from './identity';
import { questionRules } from './question-lint.rules';
import { allOptionTokens, isNumber, optionTokens, phrase, prepare, quote, type Prepared } from './question-lint.text';

// The lint's rules across the bank: near_duplicate and answered_elsewhere, over an index.

interface Entry extends Prepared {
  /** The bank's ids of the stem's masked syllable trigrams (distinct; for near duplicates). */
  trigrams: number[];
  /** How many distinct trigrams the stem has (a new stem may have some the bank has not). */
  trigramCount: number;
  /** The correct option, when it is distinctive enough to count elsewhere. */
  answerTokens: string[] | null;
  answerPhrase: string;
  /** The wrong options as phrases, made when first needed. */
  wrongPhrases?: string[];
  /** A stem too short for trigrams ("Thủ đô Lào?"): its text as compared whole (shortStemKey). */
  shortKey?: string;
}

/**
 * An index over a bank: build it once, then lint the whole bank or single questions
 * against it. near_duplicate uses prefix filtering over an inverted index of trigrams
 * (a stem is compared only with stems that share one of its rarest trigrams);
 * answered_elsewhere indexes the answers by their first syllables and walks each stem
 * once. Neither compares all pairs (loadtests/bench-lint.ts times 5,000 questions).
 */
export class BankLint {
  private entries: Entry[] = [];
  private byId = new Map<string, number>();
  private syllables = new Map<string, number>();
  private trigramIds = new Map<number, number>();
  /** Entries by trigram id. */
  private postings: number[][] = [];
  /** Scratch marks for one probe at a time (a stamp per probe spares clearing them). */
  private trigramMark = new Int32Array(0);
  private entryMark = new Int32Array(0);
  private stamp = 0;
  /** Answers that may stand in another stem: one-syllable ones by it, longer ones by their first two. */
  private answersByWord = new Map<string, number[]>();
  private answersByPair = new Map<string, Map<string, number[]>>();
  /** Stems too short for trigrams, by their text as compared whole: only the same text is a duplicate. */
  private shortStems = new Map<string, number[]>();

  constructor(questions: LintQuestion[]) {
    for (const q of questions) {
      const entry = makeEntry(q, this.syllables, this.trigramIds, true);
      const i = this.entries.length;
      this.entries.push(entry);
      this.byId.set(q.id, i);
      for (const t of entry.trigrams) (this.postings[t] ??= []).push(i);
      if (entry.shortKey !== undefined) push(this.shortStems, entry.shortKey, i);
      const a = entry.answerTokens;
      if (!a) continue;
      if (a.length === 1) push(this.answersByWord, a[0], i);
      else {
        let second = this.answersByPair.get(a[0]);
        if (!second) this.answersByPair.set(a[0], (second = new Map()));
        push(second, a[1], i);
      }
    }
    this.trigramMark = new Int32Array(this.postings.length);
    this.entryMark = new Int32Array(this.entries.length);
  }

  /**
   * Every warning of every question in the bank (or of those `only` accepts, still checked
   * against all), in bank order; pairs are reported on both questions.
   */
  lintAll(only?: (id: string) => boolean): BankLintWarning[] {
    const n = this.entries.length;
    const limit = LINT_THRESHOLDS.relatedScanLimit;
    const dups: { j: number; similarity: number }[][] = Array.from({ length: n }, () => []);
    const paired = new Set<number>();
    const record = (i: number, j: number, similarity: number) => {
      if (dups[i].length < limit) dups[i].push({ j, similarity });
    };
    for (let i = 0; i < n; i++)
      for (const { j, similarity } of this.nearDuplicates(this.entries[i], i, true)) {
        const key = Math.min(i, j) * n + Math.max(i, j);
        if (paired.has(key)) continue;
        paired.add(key);
        record(i, j, similarity);
        record(j, i, similarity);
      }
    const answeredBy: number[][] = Array.from({ length: n }, () => []);
    const answers: number[][] = Array.from({ length: n }, () => []);
    // Each stem looks up the answers starting at each of its syllables: no answer is
    // searched for in every stem.
    for (let j = 0; j < n; j++) {
      const st = this.entries[j].stemTokens;
      const found = new Set<number>();
      const visit = (list: number[] | undefined) => {
        if (list)
          for (const i of list) {
            if (i === j || found.has(i) || !this.leaks(this.entries[i], this.entries[j].stemPhrase)) continue;
            found.add(i);
            if (answeredBy[i].length < limit) answeredBy[i].push(j);
            if (answers[j].length < limit) answers[j].push(i);
          }
      };
      for (let p = 0; p < st.length; p++) {
        visit(this.answersByWord.get(st[p]));
        if (p + 1 < st.length) visit(this.answersByPair.get(st[p])?.get(st[p + 1]));
      }
    }
    for (const list of answeredBy) list.sort((x, y) => x - y);
    const out: BankLintWarning[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.entries[i];
      if (only && !only(e.q.id)) continue;
      const ws = [...questionRules(e), ...this.related(e, dups[i], answeredBy[i], answers[i])];
      for (const w of ws) out.push({ questionId: e.q.id, ...w });
    }
    return out;
  }

  /**
   * The warnings of one question against the bank. A question of the bank (same id) is
   * compared with the others as it is now written, so an edit is judged before it is saved.
   */
  lint(q: LintQuestion): LintWarning[] {
    const self = this.byId.get(q.id) ?? -1;
    const e = makeEntry(q, this.syllables, this.trigramIds, false);
    const dups = this.nearDuplicates(e, self, false);
    const answeredBy: number[] = [];
    const answers: number[] = [];
    for (let j = 0; j < this.entries.length; j++) {
      if (j === self) continue;
      if (answeredBy.length < LINT_THRESHOLDS.relatedScanLimit && this.leaks(e, this.entries[j].stemPhrase)) answeredBy.push(j);
      if (answers.length < LINT_THRESHOLDS.relatedScanLimit && this.leaks(this.entries[j], e.stemPhrase)) answers.push(j);
    }
    return [...questionRules(e), ...this.related(e, dups, answeredBy, answers)];
  }

  private related(e: Entry, dups: { j: number; similarity: number }[], answeredBy: number[], answers: number[]): LintWarning[] {
    const out: LintWarning[] = [];
    const max = LINT_THRESHOLDS.maxRelatedPerQuestion;
    const sorted = [...dups].sort((x, y) => y.similarity - x.similarity || x.j - y.j);
    for (const { j, similarity } of sorted.slice(0, max)) {
      const other = this.entries[j].q;
      const pct = Math.round(similarity * 100);
      out.push({
        rule: 'near_duplicate',
        message: `Đề gần trùng (${pct}%) với câu “${quote(other.text)}”. Hãy bỏ một câu hoặc hỏi ý khác.`,
        messageEn: `The stem nearly repeats (${pct}%) the question “${quote(other.text)}”. Drop one or ask something else.`,
        relatedQuestionId: other.id,
      });
    }
    for (const j of answeredBy.slice(0, max)) {
      const other = this.entries[j].q;
      out.push({
        rule: 'answered_elsewhere',
        message: `Đáp án đúng “${quote(correctText(e.q), 40)}” có nguyên văn trong đề câu “${quote(other.text)}”: câu ấy trả lời hộ câu này.`,
        messageEn: `The correct option “${quote(correctText(e.q), 40)}” stands word for word in the stem of “${quote(other.text)}”, which answers this one.`,
        relatedQuestionId: other.id,
      });
    }
    for (const j of answers.slice(0, max)) {
      const other = this.entries[j].q;
      out.push({
        rule: 'answered_elsewhere',
        message: `Đề này chứa nguyên văn đáp án đúng “${quote(correctText(other), 40)}” của câu “${quote(other.text)}”: nó trả lời hộ câu ấy.`,
        messageEn: `This stem holds word for word the correct option “${quote(correctText(other), 40)}” of “${quote(other.text)}”, answering it.`,
        relatedQuestionId: other.id,
      });
    }
    return out;
  }

  /**
   * Stems whose trigram overlap with `e` reaches the threshold (share of the shorter stem's
   * trigrams). With `prefixOnly`, only pairs where `e` is the shorter stem (or as long) are
   * guaranteed: such a pair shares one of e's |e| - ceil(t·|e|) + 1 rarest trigrams. The
   * whole-bank pass probes every question that way, which covers every pair from its shorter
   * side. A single question probes all its trigrams, finding shorter stems too.
   */
  private nearDuplicates(e: Entry, self: number, prefixOnly: boolean): { j: number; similarity: number }[] {
    const count = e.trigramCount;
    const min = LINT_THRESHOLDS.nearDuplicateMinTrigrams;
    // Too short to measure a share of: the same stem, written again, is the whole duplicate.
    if (count < min)
      return (this.shortStems.get(e.shortKey!) ?? [])
        .filter((j) => j !== self)
        .slice(0, LINT_THRESHOLDS.relatedScanLimit)
        .map((j) => ({ j, similarity: 1 }));
    const t = LINT_THRESHOLDS.nearDuplicateSimilarity;
    let probe = e.trigrams;
    if (prefixOnly) {
      // The prefix is short (a fifth of the stem): pick its rarest trigrams one by one.
      const rest = [...e.trigrams];
      probe = [];
      for (let k = count - Math.ceil(t * count) + 1; k > 0 && rest.length; k--) {
        let best = 0;
        for (let x = 1; x < rest.length; x++) if (this.postings[rest[x]].length < this.postings[rest[best]].length) best = x;
        probe.push(rest[best]);
        rest.splice(best, 1);
      }
    }
    const stamp = ++this.stamp;
    for (const g of e.trigrams) this.trigramMark[g] = stamp;
    const results: { j: number; similarity: number }[] = [];
    for (const g of probe)
      for (const j of this.postings[g]) {
        if (j === self || this.entryMark[j] === stamp) continue;
        this.entryMark[j] = stamp;
        const b = this.entries[j];
        if (b.trigramCount < min || (prefixOnly && b.trigramCount < count)) continue;
        let shared = 0;
        for (const x of b.trigrams) if (this.trigramMark[x] === stamp) shared++;
        const similarity = shared / Math.min(count, b.trigramCount);
        if (similarity >= t && results.push({ j, similarity }) >= LINT_THRESHOLDS.relatedScanLimit) return results;
      }
    return results;
  }

  /** Entry `i`'s answer stands in `stem` and none of its wrong options does. */
  private leaks(i: Entry, stem: string): boolean {
    if (i.answerTokens === null || !stem.includes(i.answerPhrase)) return false;
    i.wrongPhrases ??= allOptionTokens(i)
      .filter((ts, k) => k !== i.correct && ts.length)
      .map(phrase);
    return !i.wrongPhrases.some((w) => stem.includes(w));
  }
}

function push<K>(map: Map<K, number[]>, key: K, i: number) {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

function correctText(q: LintQuestion): string {
  return q.options.find((o) => o.correct)?.text ?? '';
}

/**
 * A question prepared for the bank rules. Its trigrams get the bank's ids (new ones only
 * when `add`: a question linted against the bank leaves the index as it was).
 */
function makeEntry(q: LintQuestion, syllables: Map<string, number>, trigramIds: Map<number, number>, add: boolean): Entry {
  const p = prepare(q);
  const id = (t: string) => {
    let n = syllables.get(t);
    if (n === undefined) syllables.set(t, (n = syllables.size));
    return n;
  };
  // A trigram of syllable ids hashed to a small integer (cheap to hash again in a Map, unlike
  // strings or large numbers). Two trigrams may share a hash: about 5 pairs among the
  // ~100,000 trigrams of 5,000 stems, each making some pair of stems look a little closer.
  const masked = p.stemTokens.map((t) => id(isNumber(t) ? '#' : t));
  const keys: number[] = [];
  for (let i = 0; i + 3 <= masked.length; i++) {
    const k = (Math.imul(masked[i], 0x9e3779b1) ^ Math.imul(masked[i + 1], 0x85ebca77) ^ Math.imul(masked[i + 2], 0xc2b2ae3d)) & 0x3fffffff;
    if (!keys.includes(k)) keys.push(k);
  }
  const trigrams: number[] = [];
  for (const k of keys) {
    let n = trigramIds.get(k);
    if (n === undefined && add) trigramIds.set(k, (n = trigramIds.size));
    if (n !== undefined) trigrams.push(n);
  }
  const answer = p.correct >= 0 ? optionTokens(p, p.correct) : [];
  let letters = -1;
  for (const t of answer) if (!isNumber(t)) letters += t.length + 1;
  const e = p as Entry;
  e.trigrams = trigrams;
  e.trigramCount = keys.length;
  e.answerTokens = letters >= LINT_THRESHOLDS.answeredElsewhereMinChars ? answer : null;
  e.answerPhrase = phrase(answer);
  if (keys.length < LINT_THRESHOLDS.nearDuplicateMinTrigrams) e.shortKey = shortStemKey(q.text);
  return e;
}

/** A short stem as compared whole: as questionKey compares (case, spacing, the tone mark's place), less its closing punctuation. */
const shortStemKey = (text: string) => compareKey(text).replace(/[\s?.!:…]+$/u, '');

/** Lints a whole bank: each question against the rules and against every other question. */

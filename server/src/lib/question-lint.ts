// Question-bank lint: the flaws contestants appeal, found before a round opens.
// Pure and synchronous. Warnings never block anything; they help organizers rewrite.
//
// Matching works on a normalized form of the text: NFC, lower case, diacritics and đ
// folded (so "Tỉnh ủy", "tinh uy" and a decomposed "Tỉnh ủy" are the same words), split
// into syllables and numbers. Vietnamese words are mostly two syllables, so phrases are
// compared as runs of syllables, never as single syllables (one syllable such as "số" or
// "tỉnh" stands in almost every question).

export const LINT_RULES = [
  'lower_bound_options',
  'longest_correct',
  'answer_in_stem',
  'near_duplicate',
  'answered_elsewhere',
  'all_of_the_above',
  'undated_statistic',
] as const;
export type LintRule = (typeof LINT_RULES)[number];

/**
 * Every threshold of the lint, in one place.
 * - boundOptionsMin: this many options that are lower bounds ("Hơn 8.500") — or upper
 *   bounds ("Dưới 10%") — make a smaller (larger) wrong option literally true as well.
 * - longestRatio / longestMinChars: the correct option at least this many times as long
 *   as every other option (characters, trimmed) gives it away; options shorter than
 *   longestMinChars (figures such as "100%" against "50%") are not judged.
 * - answerInStemShare: share of the correct option's distinctive phrases (syllable pairs
 *   no other option has) that must stand in the stem, while no wrong option reaches it.
 * - nearDuplicateSimilarity: two stems are near duplicates when this share of the shorter
 *   one's syllable trigrams (numbers masked, so "năm 2025"/"năm 2030" match) stand in the
 *   other; stems with fewer than nearDuplicateMinTrigrams trigrams are not compared.
 * - answeredElsewhereMinChars: a correct option whose words (numbers left out, normalized,
 *   with spaces) are shorter than this — "Năm 2023", "100%" — is too common to count as a
 *   give-away when it stands in another stem. It counts only when none of the question's
 *   wrong options stands in that stem too.
 * - issuerOptionMaxWords: answer_in_stem matches a document number's issuer code ("…/TU")
 *   only to options of at most this many syllables (names of bodies, not descriptions).
 * - maxRelatedPerQuestion: at most this many related questions reported per rule and
 *   question (a templated bank would otherwise list every pair).
 * - relatedScanLimit: a question's search for near duplicates stops once it has found this
 *   many (so a bank of 5,000 copies of one template stays linear); the reported ones are
 *   then some of them, not necessarily the closest.
 */
export const LINT_THRESHOLDS = {
  boundOptionsMin: 2,
  longestRatio: 1.35,
  longestMinChars: 8,
  answerInStemShare: 0.5,
  nearDuplicateSimilarity: 0.8,
  nearDuplicateMinTrigrams: 3,
  answeredElsewhereMinChars: 8,
  issuerOptionMaxWords: 8,
  maxRelatedPerQuestion: 3,
  relatedScanLimit: 50,
} as const;

export interface LintOption {
  text: string;
  correct: boolean;
}
export interface LintQuestion {
  id: string;
  text: string;
  options: LintOption[];
}
export interface LintWarning {
  rule: LintRule;
  /** Vietnamese */
  message: string;
  messageEn: string;
  relatedQuestionId?: string;
}
export interface BankLintWarning extends LintWarning {
  questionId: string;
}

// ---------------------------------------------------------------------------------------
// Normalization

/** NFC, lower case, diacritics and đ folded: "Tỉnh Ủy" -> "tinh uy". */
export function fold(s: string): string {
  // One pass over the UTF-16 code units through a table filled on first sight (decomposing
  // every text anew was most of the whole-bank lint's time). Each letter folds to one
  // character, so folded options keep their lengths.
  const text = s.normalize('NFC');
  const n = text.length;
  if (n > FOLD_BUFFER.length) return foldSlow(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let f = c < FOLD_TABLE.length ? FOLD_TABLE[c] : c;
    if (f === 0) f = FOLD_TABLE[c] = foldChar(c);
    FOLD_BUFFER[i] = f;
  }
  return String.fromCharCode.apply(null, FOLD_BUFFER.subarray(0, n) as unknown as number[]);
}

// Latin, its extensions and the Vietnamese block (U+1E00–U+1EFF); characters beyond stay as they are.
const FOLD_TABLE = new Uint16Array(0x1f00);
const FOLD_BUFFER = new Uint16Array(8192);

function foldChar(c: number): number {
  const ch = String.fromCharCode(c);
  const folded = ch.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  if (folded.length === 1) return folded.charCodeAt(0);
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

function foldSlow(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c < FOLD_TABLE.length ? (FOLD_TABLE[c] ||= foldChar(c)) : c);
  }
  return out;
}

const TOKEN = /[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu;

/** Syllables and numbers of a text ("1.861.035", "96,6" stay one token each). */
export function tokens(s: string): string[] {
  return fold(s).match(TOKEN) ?? [];
}

/** A question folded and split once; every rule reads this. */
interface Prepared {
  q: LintQuestion;
  stem: string;
  stemTokens: string[];
  /** The stem's tokens joined, with a space at each end, for whole-phrase search. */
  stemPhrase: string;
  opts: string[];
  /** Tokens of each option, split when first needed (most rules read only `opts`). */
  optTokens: (string[] | undefined)[];
  correct: number;
}

function prepare(q: LintQuestion): Prepared {
  const stem = fold(q.text);
  const opts = q.options.map((o) => fold(o.text).trim());
  const stemTokens = stem.match(TOKEN) ?? [];
  return { q, stem, stemTokens, stemPhrase: phrase(stemTokens), opts, optTokens: [], correct: q.options.findIndex((o) => o.correct) };
}

function optionTokens(p: Prepared, i: number): string[] {
  return (p.optTokens[i] ??= p.opts[i].match(TOKEN) ?? []);
}
const allOptionTokens = (p: Prepared) => p.opts.map((_, i) => optionTokens(p, i));

/** Tokens are folded text, so their digits are ASCII. */
const isNumber = (t: string) => {
  const c = t.charCodeAt(0);
  return c >= 48 && c <= 57;
};
const phrase = (ts: string[]) => ' ' + ts.join(' ') + ' ';

function ngrams(ts: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ts.length; i++) out.push(ts.slice(i, i + n).join(' '));
  return out;
}

function quote(text: string, max = 60): string {
  const t = text.normalize('NFC').replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

// ---------------------------------------------------------------------------------------
// Rules on one question

/** What a rule answers when it finds nothing (shared: most questions pass most rules). */
const NONE: LintWarning[] = Object.freeze([]) as unknown as LintWarning[];

const LOWER_BOUND = /(?:^|\s)(?:hon|tren|it nhat|khong duoi|toi thieu|khong it hon)\s+\d|(?:^|\s)tu\s+\d[\d.,]*\s*(?:%|\p{L}+)?\s*tro len/u;
const UPPER_BOUND = /(?:^|\s)(?:duoi|khong qua|toi da|khong vuot qua|it hon|chua den)\s+\d|(?:^|\s)tu\s+\d[\d.,]*\s*(?:%|\p{L}+)?\s*tro xuong/u;

function lowerBoundOptions({ opts: folded }: Prepared): LintWarning[] {
  let lower = 0;
  let upper = 0;
  for (const t of folded) {
    if (LOWER_BOUND.test(t)) lower++;
    if (UPPER_BOUND.test(t)) upper++;
  }
  if (lower < LINT_THRESHOLDS.boundOptionsMin && upper < LINT_THRESHOLDS.boundOptionsMin) return NONE;
  const out: LintWarning[] = [];
  if (lower >= LINT_THRESHOLDS.boundOptionsMin)
    out.push({
      rule: 'lower_bound_options',
      message: `${lower} phương án là cận dưới (“Hơn…”, “Trên…”, “Từ… trở lên”, “Ít nhất…”): một phương án nhỏ hơn cũng đúng theo nghĩa đen. Hãy ghi số chính xác hoặc “Khoảng…”.`,
      messageEn: `${lower} options are lower bounds (“more than…”, “at least…”): a smaller one is literally true as well. Give exact figures or “about…”.`,
    });
  if (upper >= LINT_THRESHOLDS.boundOptionsMin)
    out.push({
      rule: 'lower_bound_options',
      message: `${upper} phương án là cận trên (“Dưới…”, “Tối đa…”, “Không quá…”): một phương án lớn hơn cũng đúng theo nghĩa đen. Hãy ghi số chính xác hoặc “Khoảng…”.`,
      messageEn: `${upper} options are upper bounds (“less than…”, “at most…”): a larger one is literally true as well. Give exact figures or “about…”.`,
    });
  return out;
}

function longestCorrect({ opts, correct: c }: Prepared): LintWarning[] {
  // Folding keeps one character per (NFC) character, so these are the options' lengths.
  const lengths = opts.map((o) => o.length);
  if (c < 0 || opts.length < 2 || lengths[c] < LINT_THRESHOLDS.longestMinChars) return NONE;
  const longestOther = Math.max(...lengths.filter((_, i) => i !== c));
  if (lengths[c] < LINT_THRESHOLDS.longestRatio * longestOther) return NONE;
  const ratio = (lengths[c] / Math.max(1, longestOther)).toFixed(1).replace('.', ',');
  return [
    {
      rule: 'longest_correct',
      message: `Phương án đúng dài gấp ${ratio} lần phương án dài nhất còn lại: người dự thi đoán được. Hãy viết các phương án dài tương đương.`,
      messageEn: `The correct option is ${ratio.replace(',', '.')} × as long as the longest other one: contestants can guess it. Make the options similar in length.`,
    },
  ];
}

// "Tất cả các phương án trên", "Cả A, B và C", "Cả ba phương án", "Tất cả đều đúng".
const ALL_OF_THE_ABOVE = /^(?:tat ca(?: cac)?(?: (?:phuong an|dap an|y|cau))?(?: (?:tren|deu dung|noi tren))|tat ca deu dung|ca [a-d](?:\s*,\s*[a-d])*\s*(?:va|,)\s*[a-d]|ca (?:hai|ba|bon|2|3|4)(?: (?:phuong an|dap an|y))?(?: tren)?|all of the above)\b/;
// An option that is a count out of a whole: "27/27", "678/678 cơ sở". Dates ("20/12/2023"),
// "Ngày 10/10" and ranks ("Thứ 15/63") do not start with the fraction.
const FRACTION = /^(\d+)\s*\/\s*(\d+)(?![\d/])/;

function fractionOf(folded: string): [number, number] | null {
  const m = FRACTION.exec(folded);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

// A question about a date ("ngày nào", "khi nào") may offer bare dates such as "10/10".
const ASKS_DATE = /\b(?:(?:ngay|thang|thoi gian|thoi diem) nao|khi nao)\b/;

function allOfTheAbove({ q, stem, opts }: Prepared): LintWarning[] {
  const all = q.options.find((_, i) => ALL_OF_THE_ABOVE.test(opts[i]));
  if (all)
    return [
      {
        rule: 'all_of_the_above',
        message: `Phương án “${quote(all.text, 40)}” thường là đáp án đúng: người dự thi đoán được. Hãy hỏi một ý cụ thể.`,
        messageEn: `An option like “${quote(all.text, 40)}” (all of the above) is usually the right one: contestants guess it. Ask for one specific item.`,
      },
    ];
  if (ASKS_DATE.test(stem)) return NONE;
  const fractions = opts.map(fractionOf);
  const whole = q.options.findIndex((_, i) => fractions[i] && fractions[i]![0] === fractions[i]![1] && fractions[i]![1] > 1);
  if (whole >= 0 && fractions.filter(Boolean).length >= 2)
    return [
      {
        rule: 'all_of_the_above',
        message: `Phương án “${quote(q.options[whole].text, 40)}” (tất cả) thường là đáp án đúng khi các phương án là phân số: người dự thi đoán được. Hãy hỏi con số cụ thể hoặc một ý khác.`,
        messageEn: `The option “${quote(q.options[whole].text, 40)}” (all of them) usually wins among fractions: contestants guess it. Ask for a specific figure or another point.`,
      },
    ];
  return NONE;
}

const STAT_STEM = /(?:^|\s)(?:ty le|ti le|phan tram|luot|tai khoan)(?:\s|$)|%/;
const STAT_OPTION = /\d[\d.,]*\s*(?:%|(?:trieu |nghin |ngan )?(?:luot|tai khoan)(?:\s|$))/;
const YEAR = /(?:^|\D)(?:19|20)\d\d(?!\d)/;

function undatedStatistic({ stem, opts }: Prepared): LintWarning[] {
  const stat = STAT_STEM.test(stem) || opts.some((o) => STAT_OPTION.test(o));
  if (!stat || YEAR.test(stem)) return NONE;
  return [
    {
      rule: 'undated_statistic',
      message: 'Số liệu (tỷ lệ, %, lượt, tài khoản) nhưng đề không nêu năm: số liệu sẽ cũ đi. Hãy ghi rõ thời điểm, ví dụ “Năm 2023, …”.',
      messageEn: 'A statistic (rate, %, visits, accounts) but the stem names no year: the figure will age. Say when, e.g. “In 2023, …”.',
    },
  ];
}

// Issuer codes of Vietnamese document numbers ("06-NQ/TU", "505/QĐ-TTg") and what they name.
// Document-type codes (NQ, KH, QĐ, CT, …) name no issuer and are ignored.
const ISSUER_CODES: Record<string, string> = {
  tu: 'tinh uy',
  hu: 'huyen uy',
  tw: 'trung uong',
  ttg: 'thu tuong',
  ubnd: 'uy ban nhan dan',
  hdnd: 'hoi dong nhan dan',
  bcd: 'ban chi dao',
  btttt: 'bo thong tin va truyen thong',
  bnv: 'bo noi vu',
  btc: 'bo tai chinh',
  cntt: 'cong nghe thong tin',
  mttq: 'mat tran to quoc',
};
const DOC_TYPES = new Set(['nq', 'kh', 'qd', 'ct', 'tb', 'bc', 'hd', 'cv', 'tt', 'nd', 'ttr', 'kl', 'ql', 'bb', 'da', 'ch', 'ub', 'vp']);
const DOC_NUMBER = /\d+\s*[/-]\s*[\p{L}\d]+(?:\s*[/-]\s*[\p{L}\d]+)*/gu;

function issuerCodes(stem: string): string[] {
  const codes = new Set<string>();
  for (const m of stem.normalize('NFC').matchAll(DOC_NUMBER)) {
    const parts = fold(m[0])
      .split(/\s*[/-]\s*/)
      .slice(1);
    for (const p of parts) if (/^\p{L}+$/u.test(p) && !DOC_TYPES.has(p)) codes.add(p);
  }
  return [...codes];
}

function namesOption(code: string, optTokens: string[]): boolean {
  // An issuer is a name; a long option that merely mentions "UBND cấp huyện" is not one.
  if (optTokens.length > LINT_THRESHOLDS.issuerOptionMaxWords) return false;
  const p = phrase(optTokens);
  if (optTokens.includes(code)) return true;
  const expansion = ISSUER_CODES[code];
  if (expansion && p.includes(' ' + expansion + ' ')) return true;
  // Unknown codes: initials of the option ("Ban Chỉ đạo …" -> "bcd…").
  return code.length >= 3 && optTokens.map((t) => t[0]).join('').includes(code);
}

/** Phrases of an option: syllable pairs, numbers, and the option itself when it is one syllable. */
function units(ts: string[]): Set<string> {
  const u = new Set(ngrams(ts, 2));
  for (const t of ts) if (isNumber(t) && t.length >= 2) u.add(t);
  if (ts.length === 1) u.add(ts[0]);
  return u;
}

function answerInStem(p: Prepared): LintWarning[] {
  const { q, correct: c, stemPhrase } = p;
  if (c < 0 || q.options.length < 2) return NONE;

  // 1. A document number whose issuer code names the correct option and no other.
  for (const code of issuerCodes(q.text)) {
    const named = allOptionTokens(p).map((ts) => namesOption(code, ts));
    if (named[c] && named.filter(Boolean).length === 1)
      return [
        {
          rule: 'answer_in_stem',
          message: `Số hiệu văn bản trong đề (“…${code.toUpperCase()}”) đã cho biết đáp án “${quote(q.options[c].text, 40)}”. Hãy bỏ số hiệu khỏi đề hoặc hỏi ý khác.`,
          messageEn: `The document number in the stem (“…${code.toUpperCase()}”) names the answer “${quote(q.options[c].text, 40)}”. Drop the number from the stem or ask something else.`,
        },
      ];
  }

  // 2. The correct option's distinctive phrases stand in the stem, and no wrong option's do.
  // Most stems share no phrase with their correct option: settle those before comparing options.
  const answer = optionTokens(p, c);
  let any = answer.length === 1 && stemPhrase.includes(' ' + answer[0] + ' ');
  for (let i = 0; !any && i < answer.length; i++)
    any = (i + 1 < answer.length && stemPhrase.includes(' ' + answer[i] + ' ' + answer[i + 1] + ' ')) || (isNumber(answer[i]) && answer[i].length >= 2 && stemPhrase.includes(' ' + answer[i] + ' '));
  if (!any) return NONE;
  const optUnits = allOptionTokens(p).map(units);
  const share = (i: number) => {
    const others = new Set<string>();
    optUnits.forEach((u, j) => j !== i && u.forEach((x) => others.add(x)));
    const distinct = [...optUnits[i]].filter((x) => !others.has(x));
    if (distinct.length === 0) return { share: 0, hits: [] as string[] };
    const hits = distinct.filter((x) => stemPhrase.includes(' ' + x + ' '));
    return { share: hits.length / distinct.length, hits };
  };
  const correct = share(c);
  if (correct.hits.length === 0 || correct.share < LINT_THRESHOLDS.answerInStemShare) return NONE;
  for (let i = 0; i < q.options.length; i++) if (i !== c && share(i).share >= LINT_THRESHOLDS.answerInStemShare) return NONE;
  return [
    {
      rule: 'answer_in_stem',
      message: `Đề đã chứa những từ riêng của phương án đúng (“${correct.hits.slice(0, 3).join('”, “')}”), không phương án sai nào có: người dự thi đoán được. Hãy viết lại đề.`,
      messageEn: `The stem holds words only the correct option has (“${correct.hits.slice(0, 3).join('”, “')}”): contestants can match them. Reword the stem.`,
    },
  ];
}

/** The rules that need only the question itself, in rule order. */
export function lintQuestion(q: LintQuestion): LintWarning[] {
  return questionRules(prepare(q));
}

function questionRules(p: Prepared): LintWarning[] {
  const out: LintWarning[] = [];
  for (const rule of QUESTION_RULES) for (const w of rule(p)) out.push(w);
  return out;
}
const QUESTION_RULES = [lowerBoundOptions, longestCorrect, answerInStem, allOfTheAbove, undatedStatistic];

// ---------------------------------------------------------------------------------------
// Rules across the bank

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

  constructor(questions: LintQuestion[]) {
    for (const q of questions) {
      const entry = makeEntry(q, this.syllables, this.trigramIds, true);
      const i = this.entries.length;
      this.entries.push(entry);
      this.byId.set(q.id, i);
      for (const t of entry.trigrams) (this.postings[t] ??= []).push(i);
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
    if (count < min) return [];
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
    i.wrongPhrases ??= allOptionTokens(i).filter((ts, k) => k !== i.correct && ts.length).map(phrase);
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
  return e;
}

/** Lints a whole bank: each question against the rules and against every other question. */
export function lintBank(questions: LintQuestion[]): BankLintWarning[] {
  return new BankLint(questions).lintAll();
}

import { compareKey } from './identity';
import { LINT_THRESHOLDS, type LintWarning } from './question-lint.thresholds';
import { allOptionTokens, fold, isNumber, ngrams, optionTokens, phrase, quote, type Prepared } from './question-lint.text';

// The lint's rules on one question (the rules across the bank are in question-lint.bank.ts).

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
const ALL_OF_THE_ABOVE =
  /^(?:tat ca(?: cac)?(?: (?:phuong an|dap an|y|cau))?(?: (?:tren|deu dung|noi tren))|tat ca deu dung|ca [a-d](?:\s*,\s*[a-d])*\s*(?:va|,)\s*[a-d]|ca (?:hai|ba|bon|2|3|4)(?: (?:phuong an|dap an|y))?(?: tren)?|all of the above)\b/;
// An option that is a count out of a whole: "27/27", "678/678 cơ sở". Dates ("20/12/2023"),
// "Ngày 10/10" and ranks ("Thứ 15/63") do not start with the fraction.
const FRACTION = /^(\d+)\s*\/\s*(\d+)(?![\d/])/;

function fractionOf(folded: string): [number, number] | null {
  const m = FRACTION.exec(folded);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

// A question about a date ("ngày nào", "khi nào") may offer bare dates such as "10/10".
const ASKS_DATE = /\b(?:(?:ngay|thang|thoi gian|thoi diem) nao|khi nao)\b/;

/** "Cả ba …" is all three; "Cá ba sa" a fish: the folded text cannot tell cả from cá. */
const ALL_WORD = /^cả\s/u;

function allOfTheAbove({ q, stem, opts }: Prepared): LintWarning[] {
  const all = q.options.find((o, i) => ALL_OF_THE_ABOVE.test(opts[i]) && (!opts[i].startsWith('ca ') || ALL_WORD.test(compareKey(o.text))));
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
const DIGIT = /\d/;
const STAT_OPTION = /\d[\d.,]*\s*(?:%|(?:trieu |nghin |ngan )?(?:luot|tai khoan)(?:\s|$))/;
const YEAR = /(?:^|\D)(?:19|20)\d\d(?!\d)/;

function undatedStatistic({ stem, opts }: Prepared): LintWarning[] {
  // A figure is a number: "bảo vệ tài khoản ngân hàng", "đến lượt mình", "khi lướt web" (folded: luot) name none.
  const stat = (STAT_STEM.test(stem) && (DIGIT.test(stem) || opts.some((o) => DIGIT.test(o)))) || opts.some((o) => STAT_OPTION.test(o));
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
  return (
    code.length >= 3 &&
    optTokens
      .map((t) => t[0])
      .join('')
      .includes(code)
  );
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
    any =
      (i + 1 < answer.length && stemPhrase.includes(' ' + answer[i] + ' ' + answer[i + 1] + ' ')) ||
      (isNumber(answer[i]) && answer[i].length >= 2 && stemPhrase.includes(' ' + answer[i] + ' '));
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

export function questionRules(p: Prepared): LintWarning[] {
  const out: LintWarning[] = [];
  for (const rule of QUESTION_RULES) for (const w of rule(p)) out.push(w);
  return out;
}
const QUESTION_RULES = [lowerBoundOptions, longestCorrect, answerInStem, allOfTheAbove, undatedStatistic];

// The question-bank spreadsheet: its columns, how a row becomes a question (with the
// same rules as the JSON route), and how a bank is written back in the same format.
import { cleanLines, cleanText } from './identity';
import { questionKey, questionProblems, type QuestionInput, type QuestionProblem } from './questions';
import { cellNotices, columnLetter, headerKey, locateHeader, sheetPlace, visibleRows, type RowNotice, type SheetContext, type SheetRow } from './spreadsheet';

export const QUESTION_HEADERS = ['Câu hỏi', 'Phương án A', 'Phương án B', 'Phương án C', 'Phương án D', 'Đáp án đúng', 'Chủ đề', 'Giải thích'] as const;
export const QUESTION_COLUMN_WIDTHS = [60, 30, 30, 30, 30, 12, 20, 50];

// 'e': a fifth option column is read only to be refused (a question has 3 or 4 options).
type Field = 'text' | 'a' | 'b' | 'c' | 'd' | 'e' | 'correct' | 'topic' | 'explanation';
const FIELD_HEADER: Record<Field, string> = {
  text: 'Câu hỏi',
  a: 'Phương án A',
  b: 'Phương án B',
  c: 'Phương án C',
  d: 'Phương án D',
  e: 'Phương án E',
  correct: 'Đáp án đúng',
  topic: 'Chủ đề',
  explanation: 'Giải thích',
};
const OPTION_FIELDS = ['a', 'b', 'c', 'd'] as const;
const LETTERS = ['A', 'B', 'C', 'D'];

const ALIASES: Record<Field, string[]> = {
  text: ['Câu hỏi', 'Nội dung câu hỏi', 'Nội dung', 'Question', 'Question text', 'Text'],
  a: ['Phương án A', 'Đáp án A', 'Lựa chọn A', 'PA A', 'A', 'Option A', 'Answer A'],
  b: ['Phương án B', 'Đáp án B', 'Lựa chọn B', 'PA B', 'B', 'Option B', 'Answer B'],
  c: ['Phương án C', 'Đáp án C', 'Lựa chọn C', 'PA C', 'C', 'Option C', 'Answer C'],
  d: ['Phương án D', 'Đáp án D', 'Lựa chọn D', 'PA D', 'D', 'Option D', 'Answer D'],
  e: ['Phương án E', 'Đáp án E', 'Lựa chọn E', 'PA E', 'E', 'Option E', 'Answer E'],
  correct: ['Đáp án đúng', 'Đáp án', 'Phương án đúng', 'Correct answer', 'Correct', 'Answer', 'Key'],
  topic: ['Chủ đề', 'Lĩnh vực', 'Topic'],
  explanation: ['Giải thích', 'Explanation'],
};
const REQUIRED: Field[] = ['text', 'a', 'b', 'c', 'correct'];
/** Every name a column of the sheet goes by (readSheet() tells a CSV's delimiter by them). */
export const QUESTION_HEADER_NAMES: readonly string[] = Object.values(ALIASES).flat();

/** Same limits as the JSON route (questions.schemas.ts). */
export const QUESTION_LIMITS = { text: 2000, option: 500, topic: 100, explanation: 5000 };

/** API.md's `{ row, field, message }`, with the column letter and an English twin. */
export interface RowError {
  row: number;
  field: string;
  column?: string;
  message: string;
  messageEn: string;
}

export interface SheetQuestion {
  row: number;
  key: string;
  input: QuestionInput & { topic: string | null; explanation: string | null };
}

export interface ParsedQuestionSheet {
  questions: SheetQuestion[];
  errors: RowError[];
  /** Data rows read (empty rows not counted). */
  total: number;
  /** Rows left out because Excel hides them, and the reader's warnings on the cells read. */
  warnings: RowNotice[];
}

/**
 * Reads the rows of a question sheet; every problem of every row is reported. `sheet`: the
 * reader's cell warnings (those on the columns read are kept) and the sheet's name (named
 * when a column is missing).
 */
export function parseQuestionRows(rows: SheetRow[], sheet: SheetContext = {}): ParsedQuestionSheet {
  const errors: RowError[] = [];
  if (rows.length === 0)
    return {
      questions: [],
      errors: [{ row: 1, field: 'file', message: 'Tệp không có dữ liệu', messageEn: 'The file holds no data' }],
      total: 0,
      warnings: [],
    };
  const { headerIndex, columns, missing } = locateHeader(rows, ALIASES, REQUIRED);
  const headerRow = rows[headerIndex].number;
  if (missing.length) {
    const place = sheetPlace(sheet.sheetName);
    for (const f of missing)
      errors.push({
        row: headerRow,
        field: FIELD_HEADER[f],
        message: `Thiếu cột "${FIELD_HEADER[f]}"${place.vi}`,
        messageEn: `Missing column "${FIELD_HEADER[f]}"${place.en}`,
      });
    return { questions: [], errors, total: Math.max(0, rows.length - headerIndex - 1), warnings: [] };
  }
  const { rows: data, notices: hidden } = visibleRows(rows.slice(headerIndex + 1));
  if (data.length === 0)
    return {
      questions: [],
      errors: [{ row: headerRow + 1, field: 'file', message: 'Không có câu hỏi nào dưới dòng tiêu đề', messageEn: 'No question below the header row' }],
      total: 0,
      warnings: hidden,
    };
  const questions: SheetQuestion[] = [];
  for (const r of data) {
    const parsed = parseRow(r, columns);
    if ('errors' in parsed) errors.push(...parsed.errors);
    else questions.push(parsed.question);
  }
  const read = new Set(data.map((r) => r.number));
  const cells = cellNotices(sheet.warnings, Object.values(columns), headerRow).filter((w) => read.has(w.row));
  return { questions, errors, total: data.length, warnings: [...hidden, ...cells].sort((a, b) => a.row - b.row) };
}

function parseRow(r: SheetRow, columns: Partial<Record<Field, number>>): { question: SheetQuestion } | { errors: RowError[] } {
  const errors: RowError[] = [];
  const col = (f: Field) => (columns[f] === undefined ? undefined : columnLetter(columns[f]! + 1));
  const raw = (f: Field) => (columns[f] === undefined ? '' : (r.cells[columns[f]!] ?? ''));
  const fail = (f: Field, vi: string, en: string) => errors.push({ row: r.number, field: FIELD_HEADER[f], column: col(f), message: vi, messageEn: en });
  const tooLong = (f: Field, value: string, max: number) => {
    if (value.length > max) fail(f, `Dài quá ${max} ký tự (${value.length})`, `Longer than ${max} characters (${value.length})`);
  };

  const text = cleanLines(raw('text'));
  if (!text) fail('text', 'Thiếu nội dung câu hỏi', 'Missing question text');
  tooLong('text', text, QUESTION_LIMITS.text);

  const optionTexts = OPTION_FIELDS.map((f) => cleanText(raw(f)));
  const filled = optionTexts.filter(Boolean).length;
  const lastFilled = optionTexts.reduce((last, t, i) => (t ? i : last), -1);
  if (filled < 3) {
    for (const f of OPTION_FIELDS.slice(0, 3))
      if (!optionTexts[OPTION_FIELDS.indexOf(f)])
        fail(f, 'Thiếu phương án: cần ít nhất 3 phương án A, B, C', 'Missing option: at least 3 options A, B, C are needed');
  } else if (lastFilled + 1 !== filled) {
    const gap = optionTexts.findIndex((t) => !t);
    fail(OPTION_FIELDS[gap], `Phương án ${LETTERS[gap]} trống nhưng các phương án sau lại có`, `Option ${LETTERS[gap]} is empty but a later option is filled`);
  }
  OPTION_FIELDS.forEach((f, i) => tooLong(f, optionTexts[i], QUESTION_LIMITS.option));
  // Dropping a filled fifth option would import another question than the one written.
  if (cleanText(raw('e')))
    fail(
      'e',
      'Câu hỏi chỉ có 3 hoặc 4 phương án (A–D): hãy bỏ phương án E hoặc tách thành câu khác',
      'A question has 3 or 4 options (A–D): remove option E or split the question',
    );

  const correctRaw = raw('correct');
  let correctIndex = -1;
  if (!correctRaw) fail('correct', 'Thiếu đáp án đúng', 'Missing correct answer');
  else {
    const m = /^(?:phuongan|dapan|pa|da|option|answer)?([abcd])$/.exec(headerKey(correctRaw));
    if (!m)
      fail(
        'correct',
        `Đáp án đúng "${correctRaw.slice(0, 20)}" không hợp lệ: phải là A, B, C hoặc D`,
        `Correct answer "${correctRaw.slice(0, 20)}" is invalid: it must be A, B, C or D`,
      );
    else {
      correctIndex = 'abcd'.indexOf(m[1]);
      if (!optionTexts[correctIndex])
        fail(
          'correct',
          `Đáp án đúng là ${LETTERS[correctIndex]} nhưng phương án ${LETTERS[correctIndex]} trống`,
          `The correct answer is ${LETTERS[correctIndex]} but option ${LETTERS[correctIndex]} is empty`,
        );
    }
  }

  const topic = cleanText(raw('topic'));
  tooLong('topic', topic, QUESTION_LIMITS.topic);
  const explanation = raw('explanation');
  tooLong('explanation', explanation, QUESTION_LIMITS.explanation);
  if (errors.length) return { errors };

  const input = {
    text,
    options: optionTexts.slice(0, filled).map((t, i) => ({ text: t, correct: i === correctIndex })),
    topic: topic || null,
    explanation: explanation || null,
  };
  // The shared rules have the last word, so a file can never hold what the JSON route refuses.
  for (const p of questionProblems(input)) {
    const [f, vi, en] = translateProblem(p);
    fail(f, vi, en);
  }
  if (errors.length) return { errors };
  return { question: { row: r.number, key: questionKey(text), input } };
}

function translateProblem(p: QuestionProblem): [Field, string, string] {
  const opt = /^options\.(\d+)\.text$/.exec(p.field);
  if (opt) {
    const i = Number(opt[1]);
    if (p.message.includes('same text'))
      return [OPTION_FIELDS[i], `Phương án ${LETTERS[i]} trùng với một phương án khác`, `Option ${LETTERS[i]} repeats another option`];
    return [OPTION_FIELDS[i], `Phương án ${LETTERS[i]} trống`, `Option ${LETTERS[i]} is empty`];
  }
  if (p.field === 'text') return ['text', 'Thiếu nội dung câu hỏi', 'Missing question text'];
  if (p.message.includes('correct')) return ['correct', 'Phải có đúng một đáp án đúng', 'Exactly one option must be correct'];
  return ['a', 'Câu hỏi cần 3 hoặc 4 phương án', 'A question needs 3 or 4 options'];
}

/**
 * Duplicates within the file (the later row is reported) and against the bank's
 * existing questions (keys from questionKey()).
 */
export function findDuplicates(questions: SheetQuestion[], bankKeys: Set<string>): RowError[] {
  const firstRow = new Map<string, number>();
  const errors: RowError[] = [];
  for (const q of questions) {
    const field = FIELD_HEADER.text;
    if (bankKeys.has(q.key)) {
      errors.push({ row: q.row, field, message: 'Câu hỏi đã có trong ngân hàng câu hỏi', messageEn: 'The question is already in the bank' });
    } else if (firstRow.has(q.key)) {
      const first = firstRow.get(q.key)!;
      errors.push({ row: q.row, field, message: `Trùng với câu hỏi ở dòng ${first}`, messageEn: `Same question as on row ${first}` });
    } else firstRow.set(q.key, q.row);
  }
  return errors;
}

/** The export's extra column: the lint's warnings, for reading; import ignores it (no alias names it). */
export const WARNINGS_HEADER = 'Cảnh báo';
export const WARNINGS_COLUMN_WIDTH = 60;

/**
 * The bank as sheet rows, header first: what parseQuestionRows() reads back unchanged.
 * With `warnings` (question index -> Vietnamese messages) a "Cảnh báo" column follows.
 */
export function questionSheetRows(
  questions: { text: string; options: { text: string; correct: boolean }[]; topic: string | null; explanation: string | null }[],
  warnings?: (index: number) => string[],
): string[][] {
  return [
    warnings ? [...QUESTION_HEADERS, WARNINGS_HEADER] : [...QUESTION_HEADERS],
    ...questions.map((q, i) => {
      const opts = q.options.map((o) => o.text);
      while (opts.length < 4) opts.push('');
      const correct = q.options.findIndex((o) => o.correct);
      const row = [q.text, ...opts.slice(0, 4), correct >= 0 ? LETTERS[correct] : '', q.topic ?? '', q.explanation ?? ''];
      if (warnings)
        row.push(
          warnings(i)
            .map((m) => `• ${m}`)
            .join('\n'),
        );
      return row;
    }),
  ];
}

export { lintRows, type RowWarning } from './question-sheet.lint';

/** What the template's second sheet says. */
export const QUESTION_TEMPLATE_HELP: string[][] = [
  ['Hướng dẫn / Instructions'],
  ['Mỗi dòng của trang "Câu hỏi" là một câu hỏi; dòng đầu là tiêu đề cột, không sửa. / Each row of the first sheet is one question; keep the header row.'],
  ['Câu hỏi: bắt buộc, tối đa 2000 ký tự. / Question: required, up to 2000 characters.'],
  ['Phương án A, B, C: bắt buộc; Phương án D: có thể bỏ trống (câu hỏi 3 phương án). / Options A, B, C required; D optional.'],
  ['Đáp án đúng: một chữ cái A, B, C hoặc D (hoa hay thường đều được). / Correct answer: one letter A–D, either case.'],
  ['Chủ đề, Giải thích: không bắt buộc. / Topic and explanation: optional.'],
  ['Câu hỏi trùng nhau (trong tệp hoặc đã có trong ngân hàng) bị báo lỗi. / Duplicates (within the file or already in the bank) are reported.'],
  ['Nếu có dòng lỗi, không câu hỏi nào được nhập: hãy sửa hết rồi nhập lại. / If any row is wrong nothing is imported: fix all and retry.'],
];

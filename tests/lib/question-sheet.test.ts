import { describe, expect, it } from 'vitest';
import { findDuplicates, parseQuestionRows, QUESTION_HEADERS, questionSheetRows } from '../../server/src/lib/question-sheet';
import { questionKey } from '../../server/src/lib/questions';
import type { SheetRow } from '../../server/src/lib/spreadsheet';

const H = [...QUESTION_HEADERS];
/** Options from their texts, the correct one marked with a leading `*`. */
const opts = (...texts: string[]) => texts.map((x) => ({ text: x.replace(/^\*/, ''), correct: x.startsWith('*') }));
const rowsOf = (data: string[][]): SheetRow[] => data.map((cells, i) => ({ number: i + 1, cells }));

describe('parseQuestionRows', () => {
  it('reads 3- and 4-option questions with answer letters in either case', () => {
    const out = parseQuestionRows(
      rowsOf([H, ['Thủ đô?', 'Hà Nội', 'Huế', 'Đà Nẵng', 'Vinh', 'a', 'Địa lý', 'Vì thế'], ['Ba phương án?', 'X', 'Y', 'Z', '', ' C ', '', '']]),
    );
    expect(out.errors).toEqual([]);
    expect(out.questions.map((q) => q.input)).toEqual([
      {
        text: 'Thủ đô?',
        options: opts('*Hà Nội', 'Huế', 'Đà Nẵng', 'Vinh'),
        topic: 'Địa lý',
        explanation: 'Vì thế',
      },
      {
        text: 'Ba phương án?',
        options: opts('X', 'Y', '*Z'),
        topic: null,
        explanation: null,
      },
    ]);
  });

  it("keeps a stem's line breaks (Alt+Enter in a cell), folding spaces within each line", () => {
    const out = parseQuestionRows(rowsOf([H, ['  Cho các bước:\r\n1.  Đăng ký  \n\n\n\n2. Xác thực\nBước nào trước? ', 'a', 'b', 'c', '', 'A']]));
    expect(out.errors).toEqual([]);
    expect(out.questions[0]!.input.text).toBe('Cho các bước:\n1. Đăng ký\n\n2. Xác thực\nBước nào trước?');
  });

  it('finds the header under a title line and ignores extra columns', () => {
    const out = parseQuestionRows(rowsOf([['NGÂN HÀNG CÂU HỎI'], ['STT', ...H], ['1', 'Hỏi?', 'a', 'b', 'c', '', 'B']]));
    expect(out.errors).toEqual([]);
    expect(out.questions[0]).toMatchObject({ row: 3, input: { text: 'Hỏi?', options: [{ text: 'a' }, { text: 'b', correct: true }, { text: 'c' }] } });
  });

  it('reports every problem with row, column and both languages', () => {
    const out = parseQuestionRows(
      rowsOf([
        H,
        ['', 'a', 'b', 'c', '', 'A'],
        ['Hỏi 2', 'a', 'b', '', '', 'A'],
        ['Hỏi 3', 'a', 'b', 'c', '', ''],
        ['Hỏi 4', 'a', 'b', 'c', '', 'E'],
        ['Hỏi 5', 'a', 'b', 'c', '', 'D'],
        ['Hỏi 6', 'a', 'b', '', 'd', 'A'],
        ['Hỏi 7', 'a', 'A', 'c', '', 'A'],
        ['Hỏi 8', 'x'.repeat(501), 'b', 'c', '', 'A'],
      ]),
    );
    const brief = out.errors.map((e) => [e.row, e.field, e.column, e.messageEn]);
    expect(brief).toEqual([
      [2, 'Câu hỏi', 'A', 'Missing question text'],
      [3, 'Phương án C', 'D', 'Missing option: at least 3 options A, B, C are needed'],
      [4, 'Đáp án đúng', 'F', 'Missing correct answer'],
      [5, 'Đáp án đúng', 'F', 'Correct answer "E" is invalid: it must be A, B, C or D'],
      [6, 'Đáp án đúng', 'F', 'The correct answer is D but option D is empty'],
      [7, 'Phương án C', 'D', 'Option C is empty but a later option is filled'],
      [8, 'Phương án B', 'C', 'Option B repeats another option'],
      [9, 'Phương án A', 'B', 'Longer than 500 characters (501)'],
    ]);
    for (const e of out.errors) expect(e.message).not.toBe(e.messageEn);
    expect(out.questions).toEqual([]);
    expect(out.total).toBe(8);
  });

  it('names missing columns on the header row', () => {
    const out = parseQuestionRows(
      rowsOf([
        ['Câu hỏi', 'Phương án A', 'Phương án B', 'Phương án C'],
        ['x', 'a', 'b', 'c'],
      ]),
    );
    expect(out.errors).toEqual([{ row: 1, field: 'Đáp án đúng', message: 'Thiếu cột "Đáp án đúng"', messageEn: 'Missing column "Đáp án đúng"' }]);
  });

  it('names the sheet it looked in when a column is missing', () => {
    const out = parseQuestionRows(rowsOf([['Hướng dẫn / Instructions'], ['Mỗi dòng là một câu hỏi']]), { sheetName: 'Hướng dẫn' });
    expect(out.errors.map((e) => e.message)).toContain('Thiếu cột "Câu hỏi" ở trang tính "Hướng dẫn" (chỉ trang tính đầu tiên không bị ẩn được đọc)');
    expect(out.errors.map((e) => e.messageEn)).toContain('Missing column "Câu hỏi" in the sheet "Hướng dẫn" (only the first visible sheet is read)');
  });

  it('leaves out the rows Excel hides, saying so', () => {
    // The tester's q-two-row-header.xlsx: row 4, a question set aside, is hidden.
    const out = parseQuestionRows([
      { number: 1, cells: H },
      { number: 2, cells: ['Một?', 'a', 'b', 'c', '', 'A'] },
      { number: 3, cells: ['Câu hỏi bị loại (đã ẩn dòng)', 'x', 'y', 'z', '', 'A'], hidden: true },
      { number: 4, cells: ['Hai?', 'a', 'b', 'c', '', 'B'] },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.questions.map((q) => q.row)).toEqual([2, 4]);
    expect(out.total).toBe(2);
    expect(out.warnings).toEqual([
      {
        row: 3,
        rule: 'hidden_row',
        message: 'Dòng này đang bị ẩn trong Excel nên không được nhập; hãy bỏ ẩn dòng nếu muốn nhập',
        messageEn: 'This row is hidden in Excel, so it was not imported; unhide it to import it',
      },
    ]);
  });

  it('accepts English and unaccented headers', () => {
    const out = parseQuestionRows(
      rowsOf([
        ['question', 'option a', 'OPTION B', 'Option C', 'Dap an dung'],
        ['Q?', '1', '2', '3', 'c'],
      ]),
    );
    expect(out.errors).toEqual([]);
    expect(out.questions[0].input.options[2].correct).toBe(true);
  });
});

describe('a fifth option column', () => {
  it('is an error on a row that fills it, not dropped', () => {
    // The tester's q-valid-messy.xlsx: "Phương án E" after the explanation, filled on one row.
    const out = parseQuestionRows(
      rowsOf([
        [...H, 'Phương án E'],
        ['Bốn phương án?', 'Một', 'Hai', 'Ba', 'Bốn', 'A', '', '', ''],
        ['Năm phương án?', 'Một', 'Hai', 'Ba', 'Bốn', 'B', 'Khác', '', 'Năm'],
      ]),
    );
    expect(out.errors.map((e) => [e.row, e.field, e.column, e.messageEn])).toEqual([
      [3, 'Phương án E', 'I', 'A question has 3 or 4 options (A–D): remove option E or split the question'],
    ]);
    expect(out.questions.map((q) => q.row)).toEqual([2]);
  });

  it('under another name, too', () => {
    for (const header of ['Đáp án E', 'Option E', 'E']) {
      const out = parseQuestionRows(
        rowsOf([
          [...H.slice(0, 5), header, ...H.slice(5)],
          ['Hỏi?', 'a', 'b', 'c', 'd', 'e', 'A'],
        ]),
      );
      expect(
        out.errors.map((e) => [e.row, e.field, e.column]),
        header,
      ).toEqual([[2, 'Phương án E', 'F']]);
    }
  });
});

describe('invisible characters in a sheet', () => {
  it('do not make two equal options or two equal questions differ', () => {
    // The tester's q-invisible-chars.csv: a zero-width space, a soft hyphen, a BOM in the text.
    const stem = 'Thủ đô của Việt Nam là thành phố nào?';
    const out = parseQuestionRows(
      rowsOf([
        H,
        [stem.replace('Việt', 'Việt\u200b'), 'Hà Nội', 'Huế', 'Đà Nẵng', '', 'A'],
        [stem.replace('phố', 'phố\u00ad'), 'Hà Nội', 'Huế', 'Đà Nẵng', '', 'A'],
        ['\ufeff' + stem, 'Hà Nội', 'Huế', 'Đà Nẵng', '', 'A'],
        ['Câu zwsp', 'Hà\u200bNội', 'HàNội', 'Huế', '', 'A'],
      ]),
    );
    expect(out.errors.map((e) => [e.row, e.field, e.messageEn])).toEqual([[5, 'Phương án B', 'Option B repeats another option']]);
    expect(out.questions.map((q) => q.input.text)).toEqual([stem, stem, stem]);
    expect(findDuplicates(out.questions, new Set()).map((e) => [e.row, e.messageEn])).toEqual([
      [3, 'Same question as on row 2'],
      [4, 'Same question as on row 2'],
    ]);
  });
});

describe('the two places of a tone mark (Hóa / Hoá, Thủy / Thuỷ)', () => {
  it('do not make two equal options or two equal questions differ, in the file or against the bank', () => {
    const out = parseQuestionRows(
      rowsOf([
        H,
        ['Thủ phủ xứ Thanh Hoá?', 'Thanh Hoá', 'Vinh', 'Huế', '', 'A'],
        ['Thủ phủ xứ Thanh Hóa?', 'Thanh Hóa', 'Vinh', 'Huế', '', 'A'],
        ['Nhà máy thủy điện nào lớn nhất?', 'Thủy điện Hòa Bình', 'Thuỷ điện Hoà Bình', 'Sơn La', '', 'C'],
        ['Tỉnh nào có thuỷ điện Trung Sơn?', 'Thanh Hóa', 'Hòa Bình', 'Lai Châu', '', 'A'],
      ]),
    );
    expect(out.errors.map((e) => [e.row, e.field, e.messageEn])).toEqual([[4, 'Phương án B', 'Option B repeats another option']]);
    expect(findDuplicates(out.questions, new Set([questionKey('Tỉnh nào có thủy điện Trung Sơn?')])).map((e) => [e.row, e.messageEn])).toEqual([
      [3, 'Same question as on row 2'],
      [5, 'The question is already in the bank'],
    ]);
    // Other vowels keep their place: ua, ia and uê are not oa, oe or uy.
    expect(questionKey('Mùa lúa')).not.toBe(questionKey('Muà lúa'));
    expect(questionKey('của')).toBe('của');
  });
});

describe('findDuplicates', () => {
  it('reports repeats within the file and questions already in the bank', () => {
    const parsed = parseQuestionRows(rowsOf([H, ['Một?', 'a', 'b', 'c', '', 'A'], ['  MỘT? ', 'x', 'y', 'z', '', 'B'], ['Hai?', 'a', 'b', 'c', '', 'A']]));
    const errs = findDuplicates(parsed.questions, new Set([questionKey('hai?')]));
    expect(errs.map((e) => [e.row, e.messageEn])).toEqual([
      [3, 'Same question as on row 2'],
      [4, 'The question is already in the bank'],
    ]);
  });
});

describe('questionSheetRows', () => {
  it('is read back by parseQuestionRows unchanged', () => {
    const bank = [
      {
        text: 'Sắp xếp các bước:\n1. Đăng ký\n2. Xác thực\nThứ tự đúng?',
        options: opts('a', 'b', '*c'),
        topic: null,
        explanation: 'Dòng 1\nDòng 2',
      },
      {
        text: 'Hỏi 2?',
        options: opts('a', 'b', 'c', '*d'),
        topic: 'T',
        explanation: null,
      },
    ];
    expect(parseQuestionRows(rowsOf(questionSheetRows(bank))).questions.map((q) => q.input)).toEqual(bank);
  });
});

describe('parseQuestionRows on a header-only file', () => {
  it('says there is no question instead of importing nothing silently', () => {
    expect(parseQuestionRows(rowsOf([H])).errors).toEqual([
      { row: 2, field: 'file', message: 'Không có câu hỏi nào dưới dòng tiêu đề', messageEn: 'No question below the header row' },
    ]);
  });
});

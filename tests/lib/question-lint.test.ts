import { describe, expect, it } from 'vitest';
import { BankLint, fold, lintBank, lintQuestion, LINT_RULES, LINT_THRESHOLDS, type LintQuestion, type LintRule } from '../../server/src/lib/question-lint';
import { LEAK, SIGNER } from '../fixtures/lint-questions';

let n = 0;
/** A question from its stem and options; the option marked with * is the correct one. */
function q(text: string, ...options: string[]): LintQuestion {
  return { id: `q${++n}`, text, options: options.map((o) => ({ text: o.replace(/^\*/, ''), correct: o.startsWith('*') })) };
}
const rules = (x: LintQuestion) => lintQuestion(x).map((w) => w.rule);
const has = (x: LintQuestion, rule: LintRule) => rules(x).includes(rule);
/** Whether `rule` flags each question, given as [stem, ...options]. */
const flagged = (rule: LintRule, ...questions: string[][]) => questions.map(([text, ...options]) => has(q(text, ...options), rule));

describe('fold', () => {
  it('folds case, diacritics and đ, and treats decomposed text like composed text', () => {
    expect(fold('Ban Thường vụ Tỉnh Ủy, Đài')).toBe('ban thuong vu tinh uy, dai');
    expect(fold('Tỉnh ủy'.normalize('NFD'))).toBe(fold('Tỉnh ủy'));
  });

  it('keeps one character per character (option lengths hold) and folds long texts the same way', () => {
    const text = 'Đường ĐI qua Ủy ban 95% – “Ngày 10/10” 😀 Ωμέγα';
    expect(fold(text)).toBe('duong di qua uy ban 95% – “ngay 10/10” 😀 ωμεγα');
    expect(fold(text).length).toBe(text.length);
    expect(fold(text.repeat(400))).toBe(fold(text).repeat(400));
  });
});

describe('lower_bound_options', () => {
  it('flags options that are all lower bounds (a smaller one is also true)', () => {
    expect(
      flagged(
        'lower_bound_options',
        ['Năm 2023, Cổng dịch vụ công có bao nhiêu tài khoản đăng ký?', '*Hơn 85.000 tài khoản', 'Hơn 8.500 tài khoản', 'Hơn 58.000 tài khoản'],
        ['Năm 2023, mục tiêu tỷ lệ hồ sơ sức khỏe điện tử là bao nhiêu?', 'Từ 30% trở lên', '*Từ 90% trở lên', 'Từ 50% trở lên'],
        ['Năm 2025, mục tiêu có bao nhiêu doanh nghiệp số?', '*Ít nhất 100 doanh nghiệp', 'Tối thiểu 50 doanh nghiệp', 'Không dưới 20 doanh nghiệp'],
      ),
    ).toEqual([true, true, true]);
  });

  it('flags upper bounds the same way', () => {
    expect(has(q('Năm 2023, tỷ lệ hồ sơ trễ hạn là bao nhiêu?', '*Dưới 2%', 'Dưới 5%', 'Khoảng 10%'), 'lower_bound_options')).toBe(true);
  });

  it('accepts exact figures, “khoảng”, one bound among exact figures, and bounds written without diacritics alike', () => {
    expect(has(q('Năm 2023, có bao nhiêu tài khoản?', '*85.000 tài khoản', '8.500 tài khoản', '58.000 tài khoản'), 'lower_bound_options')).toBe(false);
    expect(
      has(q('Năm 2023, có bao nhiêu lượt truy cập?', '*Khoảng 27,6 triệu lượt', 'Khoảng 2,76 triệu lượt', 'Khoảng 11 triệu lượt'), 'lower_bound_options'),
    ).toBe(false);
    expect(has(q('Năm 2023, tỷ lệ ký số cá nhân là bao nhiêu?', '*Trên 98%', '80%', '60%'), 'lower_bound_options')).toBe(false);
    expect(has(q('Năm 2023, tỷ lệ là bao nhiêu?', '*Tren 98%', 'Hon 80%', '60%'), 'lower_bound_options')).toBe(true);
    // "Trên" and "Từ … đến" that are not bounds on a figure.
    expect(has(q('Đưa sản phẩm lên đâu?', '*Trên sàn thương mại điện tử', 'Trên Cổng dịch vụ công', 'Tại chợ'), 'lower_bound_options')).toBe(false);
    expect(has(q('Mỗi câu có bao nhiêu phương án?', '*Từ 03 đến 04 phương án', 'Từ 02 đến 03 phương án', 'Đúng 04 phương án'), 'lower_bound_options')).toBe(
      false,
    );
  });
});

describe('longest_correct', () => {
  it(`flags a correct option ${LINT_THRESHOLDS.longestRatio} × longer than every other`, () => {
    const x = q(
      'Chỉ thị số 02/CT-UBND ngày 18/01/2023 đề cập đến nội dung gì?',
      '*Tăng cường bảo đảm an toàn thông tin mạng, an ninh thông tin cho thiết bị Camera giám sát',
      'Phát triển hạ tầng số giai đoạn 2023 - 2025',
      'Các tiêu chí chuyển đổi số cấp xã',
    );
    expect(has(x, 'longest_correct')).toBe(true);
    expect(lintQuestion(x).find((w) => w.rule === 'longest_correct')!.message).toMatch(/dài gấp 2,\d lần/);
  });

  it('accepts options of similar length, a long wrong option, and short figures', () => {
    expect(has(q('Chủ đề hội thảo?', '*Chuyển đổi số, chuyển đổi xanh', 'Dữ liệu số, động lực phát triển', 'Hạ tầng số là nền tảng'), 'longest_correct')).toBe(
      false,
    );
    expect(has(q('Nội dung?', 'Một phương án sai nhưng rất rất dài', '*Phương án đúng ngắn hơn', 'Ngắn'), 'longest_correct')).toBe(false);
    expect(has(q('Năm 2023, tỷ lệ là bao nhiêu?', '*100%', '5%', '7%'), 'longest_correct')).toBe(false);
  });
});

describe('answer_in_stem', () => {
  it('flags a document number whose issuer code names the correct option', () => {
    expect(
      flagged(
        'answer_in_stem',
        ['Cơ quan nào ban hành Nghị quyết số 06-NQ/TU về chuyển đổi số?', 'Hội đồng nhân dân tỉnh', '*Ban Thường vụ Tỉnh ủy', 'Ủy ban nhân dân tỉnh'],
        ['Quyết định số 505/QĐ-TTg ngày 22/4/2022 là văn bản của ai?', 'Bộ trưởng Bộ Thông tin và Truyền thông', '*Thủ tướng Chính phủ', 'Chủ tịch UBND tỉnh'],
        // Codes nobody listed: matched by the option's initials (Ban Chỉ đạo -> BCĐ).
        ['Kế hoạch số 100/KH-BCĐ do cơ quan nào ban hành?', 'Sở Thông tin và Truyền thông', '*Ban Chỉ đạo chuyển đổi số tỉnh', 'Hội đồng nhân dân tỉnh'],
      ),
    ).toEqual([true, true, true]);
  });

  it('flags the correct option’s own words in the stem, with or without diacritics', () => {
    expect(
      flagged(
        'answer_in_stem',
        ['Xã Hoằng Thái chọn thôn nào làm thôn thông minh, thôn 2 hay thôn khác?', 'Thôn 1', '*Thôn 2', 'Thôn 3'],
        ['Nen tang chia se du lieu cua tinh (LGSP) duoc goi la gi?', 'Nền tảng quốc gia NDXP', '*Nền tảng chia sẻ dữ liệu của tỉnh', 'Cổng dịch vụ công'],
      ),
    ).toEqual([true, true]);
  });

  it('accepts a number naming a body that no option is, words every option shares, and stems echoing a wrong option too', () => {
    expect(
      flagged(
        'answer_in_stem',
        ['Ai ký Kế hoạch số 298/KH-UBND?', 'Ông Đỗ Hữu Quyết', '*Ông Mai Xuân Liêm', 'Ông Trịnh Hữu Vui'],
        [
          'Quyết định số 2148/QĐ-UBND có nội dung gì?',
          '*Công bố kết quả xếp hạng chuyển đổi số các sở, ban, ngành, UBND cấp huyện năm 2022',
          'Ban hành tiêu chí chuyển đổi số cấp xã',
          'Ban hành Kế hoạch chuyển đổi số đến năm 2025',
        ],
        [
          'Trên 775 sản phẩm của Thanh Hóa được đưa lên nền tảng nào?',
          'Cổng dịch vụ công của tỉnh',
          '*Cổng kết nối cung cầu nông sản an toàn tỉnh Thanh Hóa',
          'Trang thông tin chuyển đổi số của tỉnh',
        ],
        ['Chọn thôn 2 hay thôn 3 làm thôn thông minh?', 'Thôn 1', '*Thôn 2', 'Thôn 3'],
      ),
    ).toEqual([false, false, false, false]);
  });
});

describe('all_of_the_above', () => {
  it('flags “all of the above” options in their usual wordings', () => {
    for (const all of ['Tất cả các phương án trên', 'Tất cả đều đúng', 'Cả A, B và C', 'cả ba phương án trên', 'TAT CA CAC DAP AN TREN'])
      expect(
        has(
          q(
            'Nội dung nào thuộc chiến dịch ra quân?',
            'Thanh toán không dùng tiền mặt',
            'Dịch vụ công trực tuyến',
            'Mua bán trên sàn',
            all.startsWith('T') ? '*' + all : all,
          ),
          'all_of_the_above',
        ),
        all,
      ).toBe(true);
  });

  it('flags “N/N” among fractions', () => {
    expect(has(q('Có bao nhiêu UBND cấp huyện thành lập Ban Chỉ đạo?', '*27/27', '20/27', '24/27'), 'all_of_the_above')).toBe(true);
    expect(has(q('Thí điểm tại bao nhiêu cơ sở y tế?', '559/678 cơ sở', '*678/678 cơ sở', '94/678 cơ sở'), 'all_of_the_above')).toBe(true);
  });

  it('accepts fractions without the whole, dates, ranks and plan numbers', () => {
    expect(has(q('Đã hoàn thành bao nhiêu chỉ tiêu?', '*30/34 chỉ tiêu', '28/34 chỉ tiêu', '32/34 chỉ tiêu'), 'all_of_the_above')).toBe(false);
    expect(has(q('Ngày Chuyển đổi số quốc gia là ngày nào?', '*Ngày 10/10', 'Ngày 15/9', 'Ngày 01/10'), 'all_of_the_above')).toBe(false);
    expect(has(q('Ngày Chuyển đổi số quốc gia là ngày nào?', '*10/10', '2/9', '1/1', '30/4'), 'all_of_the_above')).toBe(false);
    expect(has(q('Kế hoạch ban hành ngày nào?', '*20/12/2023', '10/10/2023', '22/8/2023'), 'all_of_the_above')).toBe(false);
    expect(has(q('DTI năm 2022: Thanh Hóa xếp thứ mấy?', '*Thứ 15/63', 'Thứ 63/63', 'Thứ 13/63'), 'all_of_the_above')).toBe(false);
    expect(has(q('Cả hai kế hoạch được ban hành năm nào?', '*Năm 2023', 'Năm 2022', 'Năm 2021'), 'all_of_the_above')).toBe(false);
  });

  it('tells cả (all) from cá (a fish), which fold alike', () => {
    expect(has(q('Loài cá nào được nuôi nhiều ở Đồng bằng sông Cửu Long?', '*Cá ba sa', 'Cá hồi', 'Cá tuyết'), 'all_of_the_above')).toBe(false);
    expect(has(q('Loài cá nào thở bằng hai mang?', '*Cá hai mang', 'Cá chép', 'Cá rô'), 'all_of_the_above')).toBe(false);
    expect(has(q('Nội dung nào đúng?', 'Ý thứ nhất', 'Ý thứ hai', 'Ý thứ ba', '*Cả ba ý'), 'all_of_the_above')).toBe(true);
    expect(has(q('Noi dung nao dung?', 'Y thu nhat', 'Y thu hai', 'Y thu ba', '*Ca ba y'), 'all_of_the_above')).toBe(false);
  });
});

describe('undated_statistic', () => {
  it('flags rates, percentages, visits and accounts in a stem with no year', () => {
    expect(has(q('Tỷ lệ hồ sơ được giải quyết đúng hạn là bao nhiêu?', '*98%', '80%', '70%'), 'undated_statistic')).toBe(true);
    expect(has(q('Cổng dịch vụ công có bao nhiêu tài khoản đăng ký?', '*85.000', '58.000', '8.500'), 'undated_statistic')).toBe(true);
    expect(
      has(q('Trang thông tin thu hút bao nhiêu người theo dõi?', '*Khoảng 1,86 triệu lượt', 'Khoảng 186.000 lượt', 'Khoảng 870.000 lượt'), 'undated_statistic'),
    ).toBe(true);
    expect(has(q('Ti le nguoi dan co ho so suc khoe dien tu dat bao nhieu?', '*90%', '50%', '30%'), 'undated_statistic')).toBe(true);
  });

  it('accepts dated stems and questions with no statistic', () => {
    expect(has(q('Năm 2023, tỷ lệ hồ sơ được giải quyết đúng hạn là bao nhiêu?', '*98%', '80%', '70%'), 'undated_statistic')).toBe(false);
    expect(has(q('Theo DTI 2022 công bố tháng 7/2023, tỷ lệ ký số là bao nhiêu?', '*98%', '80%', '70%'), 'undated_statistic')).toBe(false);
    expect(has(q('Cuộc thi có bao nhiêu tuần thi?', '*04 tuần', '03 tuần', '05 tuần'), 'undated_statistic')).toBe(false);
  });

  it('wants a figure: an account, a turn or surfing the web with no number is no statistic', () => {
    const opts = ['*Đặt mật khẩu mạnh và không chia sẻ mã OTP', 'Dùng chung mật khẩu', 'Gửi mã OTP cho người lạ'];
    expect(has(q('Để bảo vệ tài khoản ngân hàng, người dân cần làm gì?', ...opts), 'undated_statistic')).toBe(false);
    expect(has(q('Khi lướt web, người dân cần làm gì để an toàn?', ...opts), 'undated_statistic')).toBe(false);
    expect(has(q('Khi đến lượt mình làm thủ tục, người dân cần làm gì?', ...opts), 'undated_statistic')).toBe(false);
  });
});

describe('lintQuestion', () => {
  it('gives a well-written question no warning, and every warning both languages', () => {
    expect(
      lintQuestion(
        q('Năm 2023, tỉnh Thanh Hóa tổ chức bao nhiêu sự kiện hưởng ứng Ngày Chuyển đổi số quốc gia?', '03 sự kiện', '*05 sự kiện', '07 sự kiện', '10 sự kiện'),
      ),
    ).toEqual([]);
    const ws = lintQuestion(q('Tỷ lệ là bao nhiêu?', '*Hơn 98% và hơn 96%', 'Hơn 90%', '100/100'));
    expect(ws.length).toBeGreaterThanOrEqual(3);
    for (const w of ws) {
      expect(LINT_RULES).toContain(w.rule);
      expect(w.message).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
      // English around the quoted Vietnamese text.
      expect(w.messageEn.replace(/“[^”]*”/g, '')).toMatch(/^[\x20-\x7e×]+$/);
    }
  });
});

describe('near_duplicate', () => {
  it('pairs stems that differ in a word or a number, on both questions', () => {
    const a = q('Trong năm 2023, UBND tỉnh và Ban Chỉ đạo chuyển đổi số tỉnh Thanh Hóa đã ban hành bao nhiêu Quyết định?', '*16', '08', '12');
    const b = q('Trong năm 2023, UBND tỉnh và Ban Chỉ đạo chuyển đổi số tỉnh Thanh Hóa đã ban hành bao nhiêu Kế hoạch?', '16', '*08', '05');
    const c = q('Đến năm 2025, tỉnh Thanh Hóa đặt mục tiêu có ít nhất bao nhiêu doanh nghiệp số?', '*100', '150', '50');
    const d = q('Đến năm 2030, tỉnh Thanh Hóa đặt mục tiêu có ít nhất bao nhiêu doanh nghiệp số?', '100', '*150', '200');
    const e = q('Ngày Chuyển đổi số quốc gia là ngày nào hằng năm?', '*Ngày 10/10', 'Ngày 15/9', 'Ngày 01/10');
    const ws = lintBank([a, b, c, d, e]).filter((w) => w.rule === 'near_duplicate');
    expect(ws.map((w) => [w.questionId, w.relatedQuestionId])).toEqual([
      [a.id, b.id],
      [b.id, a.id],
      [c.id, d.id],
      [d.id, c.id],
    ]);
    expect(ws[0].message).toMatch(/^Đề gần trùng \(\d+%\) với câu “Trong năm 2023/);
  });

  it('pairs a short stem written again (too short for trigrams), whatever its case, spacing, closing mark or tone placement', () => {
    const a = q('Thủ đô Lào?', '*Viêng Chăn', 'Phnôm Pênh', 'Băng Cốc');
    const b = q('thủ đô  Lào', '*Viêng Chăn', 'Phnôm Pênh', 'Băng Cốc');
    const c = q('Thủ đô Thái Lan?', 'Viêng Chăn', 'Phnôm Pênh', '*Băng Cốc');
    const d = q('Tỉnh lỵ Thanh Hóa?', '*Thanh Hóa', 'Vinh', 'Ninh Bình');
    const e = q('Tỉnh lỵ Thanh Hoá?', '*Thanh Hóa', 'Vinh', 'Ninh Bình');
    const ws = lintBank([a, b, c, d, e]).filter((w) => w.rule === 'near_duplicate');
    expect(ws.map((w) => [w.questionId, w.relatedQuestionId])).toEqual([
      [a.id, b.id],
      [b.id, a.id],
      [d.id, e.id],
      [e.id, d.id],
    ]);
    expect(ws[0].message).toMatch(/^Đề gần trùng \(100%\)/);
    // One question against the bank, as a save lints it.
    expect(new BankLint([a, c]).lint(b).map((w) => [w.rule, w.relatedQuestionId])).toEqual([['near_duplicate', a.id]]);
  });

  it('accepts stems on the same subject that ask different things', () => {
    const ws = lintBank([
      q('Tỉnh Thanh Hóa cung cấp bao nhiêu dịch vụ công trực tuyến toàn trình năm 2023?', '*872', '890', '775'),
      q('Năm 2023, tỉnh Thanh Hóa đã tích hợp lên Cổng dịch vụ công Quốc gia bao nhiêu dịch vụ?', '*Khoảng 1.200', 'Khoảng 500', 'Khoảng 2.000'),
      q('Thời gian cao điểm tuyên truyền hưởng ứng Ngày Chuyển đổi số năm 2024 là khi nào?', '*01/10 - 10/10/2024', '15/9 - 30/9/2024', '10/10 - 15/10/2024'),
    ]);
    expect(ws.filter((w) => w.rule === 'near_duplicate')).toEqual([]);
  });

  it('finds a near duplicate of a new, shorter or longer stem against the bank', () => {
    const bank = new BankLint([q('Huyện Quảng Xương đặt mục tiêu năm 2023 tỷ lệ hộ gia đình kết nối Internet băng rộng đạt bao nhiêu?', '*80%', '50%', '30%')]);
    const longer = q(
      'Theo kế hoạch, huyện Quảng Xương đặt mục tiêu năm 2023 tỷ lệ hộ gia đình kết nối Internet băng rộng đạt bao nhiêu phần trăm?',
      '*80%',
      '50%',
      '30%',
    );
    expect(bank.lint(longer).map((w) => w.rule)).toContain('near_duplicate');
  });
});

describe('answered_elsewhere', () => {
  const signer = q(...SIGNER);
  const leak = q(...LEAK);

  it('reports the leak on both questions, each pointing at the other', () => {
    const ws = lintBank([signer, leak]).filter((w) => w.rule === 'answered_elsewhere');
    expect(ws.map((w) => [w.questionId, w.relatedQuestionId])).toEqual([
      [signer.id, leak.id],
      [leak.id, signer.id],
    ]);
    expect(ws[0].message).toContain('“Ông Mai Xuân Liêm”');
  });

  it('matches without diacritics and regardless of Unicode form', () => {
    const nfd = { ...leak, id: 'nfd', text: leak.text.normalize('NFD') };
    expect(new BankLint([signer]).lint(nfd).map((w) => w.rule)).toContain('answered_elsewhere');
    const plain = { ...leak, id: 'plain', text: 'Ong Mai Xuan Liem ky ke hoach nam 2024 voi chuc danh nao?' };
    expect(new BankLint([signer]).lint(plain).map((w) => w.rule)).toContain('answered_elsewhere');
  });

  it('ignores short or numeric answers, answers inside a longer word run, and stems that also name a wrong option', () => {
    const year = q('Huyện số hóa hồ sơ phát sinh từ năm nào?', '*Năm 2023', 'Năm 2021', 'Năm 2025');
    const dated = q('Năm 2023, tỉnh tổ chức bao nhiêu sự kiện?', '*05', '03', '07');
    const both = q('Ông Mai Xuân Liêm và ông Đỗ Hữu Quyết đã làm gì?', '*Phát biểu', 'Ký kết', 'Vắng mặt');
    const ws = lintBank([year, dated, signer, both]).filter((w) => w.rule === 'answered_elsewhere');
    expect(ws).toEqual([]);
  });

  it('lints an edit of a bank question against the others, not against its old self', () => {
    const bank = new BankLint([signer, leak]);
    const edited = { ...leak, text: 'Kế hoạch hưởng ứng Ngày Chuyển đổi số năm 2024 được ký với chức danh nào?' };
    expect(bank.lint(edited).filter((w) => w.rule === 'answered_elsewhere')).toEqual([]);
    expect(bank.lint(leak).filter((w) => w.rule === 'answered_elsewhere')).toHaveLength(1);
  });
});

// How a ranked prize list reads in its files: column titles, Vietnamese labels, CSV cells.
import type { FairplayFlag } from '../../lib/fairplay';
import { CANONICAL_COLUMNS, DISQUALIFIED_PREFIX, INELIGIBLE_EXCLUDED, INELIGIBLE_NOT_RESIDENT, type PredictionTarget } from '../../lib/ranking';
import { guardFormula, unguardFormula } from '../../lib/spreadsheet.csv';

/** Column titles of the CSV and XLSX, one per canonical column, in the same order. */
export const COLUMN_TITLES: Record<(typeof CANONICAL_COLUMNS)[number], string> = {
  position: 'Vị trí (position)',
  rank: 'Hạng (rank)',
  prize: 'Giải (prize)',
  userId: 'Mã người dự thi (userId)',
  fullName: 'Họ và tên (fullName)',
  nationalId: 'Số CCCD (nationalId)',
  phone: 'Số điện thoại (phone)',
  birthYear: 'Năm sinh (birthYear)',
  locality: 'Địa phương (locality)',
  unit: 'Cơ quan, đơn vị (unit)',
  category: 'Đối tượng (category)',
  attemptId: 'Mã lượt thi (attemptId)',
  attemptNo: 'Lượt thi số (attemptNo)',
  score: 'Số câu đúng (score)',
  total: 'Tổng số câu (total)',
  prediction: 'Dự đoán (prediction)',
  predictionError: 'Sai số dự đoán (predictionError)',
  durationMs: 'Thời gian làm bài, ms (durationMs)',
  submittedAt: 'Thời điểm nộp bài, UTC (submittedAt)',
  eligible: 'Hợp lệ (eligible)',
  ineligibleReason: 'Lý do không hợp lệ (ineligibleReason)',
};

/**
 * The column after the canonical ones: fair-play signals, names joined by `;`. Not in the
 * checksum: whoever recomputes it from the CSV takes the first 21 columns.
 */
export const FLAGS_TITLE = 'Dấu hiệu cần xem xét (flags)';

/** Short Vietnamese names for the PDF, where the column is narrow. */
export const FLAG_LABELS: Record<FairplayFlag, string> = {
  too_fast: 'làm quá nhanh',
  same_answers_same_order: 'trùng đáp án và thứ tự',
  answer_farm: 'nhóm trùng đáp án, dự đoán',
  same_device_or_address: 'cùng thiết bị hoặc địa chỉ',
};

export const FLAGS_NOTE =
  'Chỉ là tín hiệu để Ban giám khảo xem xét, không làm thay đổi hạng hay giải: làm quá nhanh (dưới ngưỡng mili giây mỗi câu); trùng đáp án (có câu sai) và thứ tự với tài khoản khác; nhóm từ 3 tài khoản trùng đáp án (có câu sai) và dự đoán gần như nhau; cùng thiết bị (hoặc cùng địa chỉ mạng, từ 3 tài khoản, với bài có câu sai) với đáp án trùng và dự đoán gần như nhau. Bài đúng hết không được so trùng đáp án, trừ cùng thiết bị.';

export function flagsLabel(flags: readonly string[]): string {
  return flags.map((f) => FLAG_LABELS[f as FairplayFlag] ?? f).join('; ');
}

export const TARGET_LABELS: Record<PredictionTarget, string> = {
  all_correct_people: 'Số người có ít nhất một lượt thi trả lời đúng tất cả các câu hỏi',
  all_correct_entries: 'Số lượt thi trả lời đúng tất cả các câu hỏi',
  participants: 'Số người tham gia có bài nộp',
  entries: 'Số lượt thi đã nộp bài',
};

export const ORDER_LABEL =
  'Số câu đúng nhiều hơn; sai số dự đoán nhỏ hơn; thời gian làm bài ngắn hơn; nộp bài sớm hơn; mã lượt thi nhỏ hơn (so sánh theo byte). Mỗi người được xếp theo lượt thi tốt nhất của mình.';

export function reasonLabel(reason: string | null): string {
  if (reason === null) return '';
  if (reason === INELIGIBLE_NOT_RESIDENT) return 'Không phải người dự thi';
  if (reason === INELIGIBLE_EXCLUDED) return 'Thuộc danh sách loại trừ';
  if (reason.startsWith(DISQUALIFIED_PREFIX)) return `Bị loại: ${reason.slice(DISQUALIFIED_PREFIX.length)}`;
  return reason;
}

/**
 * A spreadsheet would run a text cell that starts with = + - @ (or a tab/CR) as a formula
 * (CSV injection). Such cells, and those whose apostrophes come before one of those
 * characters, get one more leading apostrophe (lib/spreadsheet.csv.ts guardFormula); whoever
 * recomputes the checksum from the CSV drops it (csvValueToCanonical).
 */
export function csvCell(v: string | number | boolean | Date | null): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return guardFormula(v);
  return String(v);
}

export const csvValueToCanonical = unguardFormula;

/** 2026-11-20T03:00:00.000Z -> 20/11/2026 10:00:00 (giờ Việt Nam, UTC+7, no daylight saving). */
export function formatVietnamTime(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()} ${p(v.getUTCHours())}:${p(v.getUTCMinutes())}:${p(v.getUTCSeconds())}`;
}

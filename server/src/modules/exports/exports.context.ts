// What every export format reads: the round's stored results and rules, its rows a page at
// a time, and the summary lines the XLSX and PDF files open with.
import type { Db } from '../../../../db/client';
import type { Contest, Round } from '../../../../db/schema/index';
import type { PredictionTarget, PrizeTier } from '../../lib/ranking';
import { requireContest } from '../contests/index';
import { requireCurrentResults, resultRowsIn, type ExportRow } from '../judging/index';
import { FLAGS_NOTE, formatVietnamTime, ORDER_LABEL, TARGET_LABELS } from './exports.format';

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

/** Rows read at a time: mapping a page of 5,000 held the event loop for tens of ms. */
export const PAGE_ROWS = 1000;

interface StoredRules {
  predictionTarget?: PredictionTarget;
  prizes?: PrizeTier[];
  onePrizePerPerson?: boolean;
  minMsPerQuestion?: number;
}

export interface ExportContext {
  db: Db;
  round: Round;
  contest: Contest;
  finalizedAt: Date;
  checksum: string;
  actualCount: number;
  participants: number;
  ranked: number;
  rules: Required<Omit<StoredRules, 'minMsPerQuestion'>> & Pick<StoredRules, 'minMsPerQuestion'>;
}

/**
 * The round's rows in position order, a page at a time, up to `upTo`: positions 1 to
 * `participants` (judging.repo resultRowsIn), read in the export's one snapshot.
 */
export async function* rowsOf(ctx: ExportContext, upTo = Number.POSITIVE_INFINITY, pageRows = PAGE_ROWS): AsyncGenerator<ExportRow> {
  const end = Math.min(upTo, ctx.participants);
  for (let after = 0; after < end; after += pageRows) yield* await resultRowsIn(ctx.db, ctx.round.id, after, Math.min(after + pageRows, end));
}

export function summaryLines(ctx: ExportContext): [string, string][] {
  const { round, contest, rules } = ctx;
  return [
    ['Cuộc thi', contest.title],
    ['Vòng thi', `Tuần ${round.number}${round.title ? ` — ${round.title}` : ''}`],
    ['Thời gian thi (giờ Việt Nam)', `${formatVietnamTime(round.opensAt)} – ${formatVietnamTime(round.closesAt)}`],
    ['Chốt kết quả lúc (giờ Việt Nam)', formatVietnamTime(ctx.finalizedAt)],
    // An empty prompt: residents were shown the web app's default question (play.predictionDefault).
    ['Câu hỏi dự đoán', round.predictionPrompt || 'Dự đoán số người trả lời đúng tất cả các câu hỏi (câu mặc định)'],
    ['Đáp án dự đoán (số thực tế)', String(ctx.actualCount)],
    ['Cách tính số thực tế', TARGET_LABELS[rules.predictionTarget]],
    ['Thứ tự xếp hạng', ORDER_LABEL],
    ['Cơ cấu giải', rules.prizes.length ? rules.prizes.map((p) => `${p.name}: ${p.count}`).join('; ') : 'Không có giải'],
    ['Mỗi người chỉ nhận một giải trong cuộc thi', rules.onePrizePerPerson ? 'Có (người đã đoạt giải ở vòng trước không nhận giải)' : 'Không'],
    ['Điều kiện hợp lệ', 'Người dự thi không thuộc danh sách loại trừ (theo CCCD hoặc số điện thoại) và không bị Ban giám khảo loại ở vòng này'],
    [
      'Dấu hiệu cần xem xét (flags)',
      rules.minMsPerQuestion === undefined ? FLAGS_NOTE : `${FLAGS_NOTE} Ngưỡng làm quá nhanh: ${rules.minMsPerQuestion} ms mỗi câu.`,
    ],
    ['Số người tham gia', String(ctx.participants)],
    ['Số người được xếp hạng', String(ctx.ranked)],
    ['Mã kiểm tra SHA-256 của danh sách', ctx.checksum],
  ];
}

export async function loadContext(db: Db, roundId: string): Promise<ExportContext> {
  const { round, results } = await requireCurrentResults(db, roundId);
  const contest = await requireContest(db, round.contestId);
  const stored = (results.rules ?? {}) as StoredRules;
  return {
    db,
    round,
    contest,
    finalizedAt: results.finalizedAt,
    checksum: results.checksum,
    actualCount: results.actualCount,
    participants: results.participants,
    ranked: results.ranked,
    rules: {
      predictionTarget: stored.predictionTarget ?? round.predictionTarget,
      prizes: stored.prizes ?? round.prizes,
      onePrizePerPerson: stored.onePrizePerPerson ?? contest.onePrizePerPerson,
      // Results finalized before the flags existed have none, and no threshold to state.
      minMsPerQuestion: stored.minMsPerQuestion,
    },
  };
}

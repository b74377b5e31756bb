import { z } from 'zod';
import { ITEM_FLAGS } from '../../lib/item-analysis';
import { IdParam, text } from '../../lib/zod';

export const RoundParams = z.object({ roundId: IdParam });
export const QuestionParams = z.object({ questionId: IdParam });

export const ItemOption = z.object({
  optionId: z.string(),
  text: z.string(),
  correct: z.boolean().describe('the current key'),
  chosen: z.number().int().describe('attempts that drew the question and chose this option'),
  chosenTop: z.number().int().describe('of those, in the top 27 % by score without this question'),
  chosenBottom: z.number().int().describe('of those, in the bottom 27 %'),
});

export const FlagMessage = z.object({
  flag: z.enum(ITEM_FLAGS),
  message: z.string().describe('Vietnamese'),
  messageEn: z.string(),
});

export const ItemAnalysisRow = z.object({
  questionId: z.string(),
  text: z.string(),
  position: z.number().int().describe('extension: the question’s place in the round’s pool'),
  drawn: z.number().int().describe('submitted attempts that drew the question'),
  answered: z.number().int().describe('of those, the ones that chose an option'),
  facility: z.number().nullable().describe('share of the attempts that drew the question and chose the key; null when none drew it'),
  discrimination: z
    .number()
    .nullable()
    .describe('facility in the top 27 % of attempts by score without this question minus the bottom 27 %; null when the groups are empty'),
  options: z.array(ItemOption),
  flags: z
    .array(z.enum(ITEM_FLAGS))
    .describe('likely_miskeyed, ambiguous, too_easy, too_hard (none below 20 attempts); thresholds in server/src/lib/item-analysis.ts'),
  flagMessages: z.array(FlagMessage).describe('extension: what each flag means, vi and en'),
  voided: z.boolean().describe('extension: voided by a correction (counts as correct for all who drew it)'),
  reviewed: z.boolean().describe('extension: the key was corrected or confirmed (POST .../correction or .../key-confirmation)'),
});
export const ItemAnalysisResponse = z
  .array(ItemAnalysisRow)
  .describe('flagged questions first (likely_miskeyed, ambiguous, too_hard, too_easy), then pool order');

const reason = text(1, 1000).describe('why: kept in the audit log');

export const CorrectionBody = z.union([
  z.strictObject({ correctOptionId: IdParam.describe('the option that is the right answer'), reason }),
  z.strictObject({ voided: z.literal(true).describe('void the question: it counts as correct for every attempt that drew it'), reason }),
]);
export type CorrectionBody = z.infer<typeof CorrectionBody>;

export const CorrectionQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: answer what would change, write nothing'),
});

export const PrizeRowChange = z.object({
  userId: z.string(),
  fullName: z.string().nullable(),
  positionBefore: z.number().int().nullable(),
  positionAfter: z.number().int().nullable(),
  prizeBefore: z.string().nullable(),
  prizeAfter: z.string().nullable(),
  scoreBefore: z.number().int().nullable(),
  scoreAfter: z.number().int().nullable(),
});

export const RoundChange = z.object({
  roundId: z.string(),
  scoresChanged: z.number().int().describe('submissions whose score would change'),
  prizeRowsChanged: z.number().int().describe('people whose prize would change if the round were finalized again (0 when it has no results)'),
  finalized: z.boolean().describe('extension: the round has stored results to compare with'),
  prizeRows: z.array(PrizeRowChange).describe('extension: those people (at most 100), in the new order'),
});

export const CorrectionResponse = z.object({
  regraded: z.number().int().describe('submissions that drew the question (all re-scored)'),
  rounds: z.array(z.string()).describe('the affected round ids (pools holding the question)'),
  scoresChanged: z.number().int().describe('extension: submissions whose score changed'),
  staleRounds: z.array(z.string()).describe('extension: rounds whose results are now stale (finalize again)'),
  withdrawnRounds: z.array(z.string()).describe('extension: published rounds whose publication was withdrawn'),
  dryRun: z.boolean(),
  changes: z.array(RoundChange).optional().describe('dry run only'),
});

export const KeyConfirmationBody = z.strictObject({ reason: text(0, 1000).optional() }).nullish();

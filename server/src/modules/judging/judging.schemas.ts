import { z } from 'zod';
import { FAIRPLAY_FLAGS } from '../../lib/fairplay';
import { IdParam, text } from '../../lib/zod';

export const RoundParams = z.object({ roundId: IdParam });
export const ContestParams = z.object({ contestId: IdParam });
export const DisqualificationParams = z.object({ roundId: IdParam, userId: IdParam });

export const FinalizeResponse = z.object({
  actualCount: z.number(),
  participants: z.number(),
  ranked: z.number(),
  checksum: z.string(),
  finalizedAt: z.string(),
});

export const RankingRow = z.object({
  position: z.number(),
  rank: z.number().nullable(),
  prize: z.string().nullable(),
  userId: z.string(),
  fullName: z.string(),
  nationalId: z.string().nullable(),
  phone: z.string(),
  birthYear: z.number().nullable(),
  locality: z.string().nullable().optional(),
  unit: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  attemptId: z.string(),
  attemptNo: z.number(),
  score: z.number(),
  total: z.number(),
  prediction: z.number(),
  predictionError: z.number(),
  durationMs: z.number(),
  submittedAt: z.string(),
  eligible: z.boolean(),
  ineligibleReason: z.string().nullable().optional(),
  /** Fair-play signals (lib/fairplay.ts FAIRPLAY_FLAGS); never a verdict. */
  flags: z.array(z.string()),
});
export type RankingRow = z.infer<typeof RankingRow>;

/** Extension: the rows a judge must look at (GET .../ranking?only=). */
export const RANKING_ONLY = ['flagged', 'ineligible'] as const;
export type RankingOnly = (typeof RANKING_ONLY)[number];

export const RankingQuery = z.object({
  offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  only: z
    .enum(RANKING_ONLY)
    .optional()
    .describe('extension: `flagged` keeps the rows with at least one fair-play flag, `ineligible` the rows with `eligible: false`'),
  flag: z.enum(FAIRPLAY_FLAGS).optional().describe('extension: keeps the rows carrying this fair-play flag (with `only`, the rows that pass both)'),
});
export type RankingFilter = Pick<z.infer<typeof RankingQuery>, 'only' | 'flag'>;

export const RankingResponse = z.object({
  actualCount: z.number(),
  participants: z.number(),
  ranked: z.number(),
  checksum: z.string(),
  finalizedAt: z.string(),
  stale: z.boolean(),
  offset: z.number(),
  /** Extension, with `only` or `flag` only: how many rows match, which `offset` and `limit` page through. */
  total: z.number().optional().describe('extension, present with `only` or `flag`: how many rows match the filter; `offset` and `limit` page through them'),
  rows: z.array(RankingRow),
});

export const DisqualificationBody = z.object({ userId: IdParam, reason: text(1, 500) });

export const DisqualificationResponse = z.object({
  roundId: z.string(),
  userId: z.string(),
  reason: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  resultsStale: z.boolean().optional(),
  /** Extension: the round's published list was taken back from the public (finalize and publish again). */
  publicationWithdrawn: z.boolean().optional(),
});

export const PublishResponse = z.object({ roundId: z.string(), publishedAt: z.string(), checksum: z.string(), actualCount: z.number() });

export const WinnersResponse = z.object({
  actualCount: z.number(),
  publishedAt: z.string(),
  winners: z.array(
    z.object({
      rank: z.number(),
      prize: z.string(),
      fullName: z.string(),
      maskedPhone: z.string(),
      locality: z.string().optional(),
      unit: z.string().optional(),
      score: z.number(),
      total: z.number(),
      prediction: z.number(),
      durationMs: z.number(),
    }),
  ),
});

export const AnswerKeyResponse = z.array(
  z.object({
    questionId: z.string(),
    text: z.string(),
    options: z.array(z.object({ id: z.string(), text: z.string() })),
    correctOptionId: z.string(),
    explanation: z.string().optional(),
    voided: z.literal(true).optional().describe('extension: voided by a correction, counted as correct for everyone who drew it'),
  }),
);

export const CollectiveQuery = z.object({ roundId: IdParam.optional() });

const CollectiveEntry = z.object({
  rank: z.number(),
  id: z.string(),
  name: z.string(),
  participants: z.number(),
  headcount: z.number().nullable(),
  participationRate: z.number().nullable(),
});
const CollectiveGroup = z.object({ byParticipants: z.array(CollectiveEntry), byParticipationRate: z.array(CollectiveEntry) });
export const CollectiveResponse = z.object({
  contestId: z.string(),
  roundId: z.string().nullable(),
  localities: CollectiveGroup,
  units: CollectiveGroup,
});

export const ReviewParams = z.object({ attemptId: IdParam });

/** Extension: a resident's own attempt beside the answer key, once the key is public. */
export const AttemptReviewResponse = z.object({
  attemptId: z.string(),
  roundId: z.string(),
  contestId: z.string(),
  roundNumber: z.number(),
  roundTitle: z.string(),
  attemptNo: z.number(),
  submitted: z.boolean(),
  score: z.number().optional().describe('as stored, regraded by corrections; absent when not submitted'),
  total: z.number(),
  prediction: z.number().optional(),
  questions: z
    .array(
      z.object({
        questionId: z.string(),
        text: z.string(),
        options: z.array(z.object({ id: z.string(), text: z.string() })).describe('in the order this attempt served them'),
        chosenOptionId: z.string().nullable().describe('null: not answered'),
        correctOptionId: z.string().nullable().describe('null while withheld'),
        explanation: z.string().optional(),
        voided: z.literal(true).optional().describe('voided by a correction, counted as correct for everyone who drew it'),
        withheld: z
          .literal(true)
          .optional()
          .describe('also in the pool of another round that is not sealed yet: its key and explanation come once that round is sealed'),
      }),
    )
    .describe('in the order this attempt served them'),
});

import { z } from 'zod';
import { IdParam } from '../../lib/zod';

export const RoundAttemptParams = z.object({ roundId: IdParam });
export const AttemptParams = z.object({ attemptId: IdParam });

/**
 * At most one answer per question, and a round has at most 200 questions. Two forms:
 * `answers` as { questionId, optionId } pairs, or `choices` (API.md v1.1 "Submitting by
 * position"): one entry per question in the order served, the chosen option's position as
 * served, null for none. Giving both, or neither, is refused by the service (400).
 */
export const SubmitBody = z.object({
  answers: z
    .array(
      z.object({
        questionId: z.string().min(1).max(100),
        optionId: z.string().min(1).max(100),
      }),
    )
    .max(200)
    .optional(),
  // Unbounded but by the body's 64 KB: a length other than the attempt's is 400 INVALID_ANSWERS.
  choices: z.array(z.number().int().nullable()).optional(),
  prediction: z.number().int().min(0).max(100_000_000),
});
export type SubmitBody = z.infer<typeof SubmitBody>;

// Only these fields reach a contestant: z.object drops every other key while serializing,
// so an option's `correct` flag or a question's explanation cannot leak by accident.
export const AttemptOption = z.object({ id: z.string(), text: z.string() });
export const AttemptQuestion = z.object({ id: z.string(), text: z.string(), options: z.array(AttemptOption) });
export const AttemptResponse = z.object({
  attemptId: z.string(),
  attemptNo: z.number().int(),
  startedAt: z.string(),
  deadline: z.string(),
  questions: z.array(AttemptQuestion),
  predictionPrompt: z.string(),
});
export type AttemptResponse = z.infer<typeof AttemptResponse>;

export const ResultResponse = z.object({
  attemptId: z.string(),
  status: z.literal('submitted'),
  submittedAt: z.string(),
  durationMs: z.number().int(),
  total: z.number().int(),
  score: z.number().int().optional(),
  duplicate: z.boolean().optional(),
});
export type ResultResponse = z.infer<typeof ResultResponse>;

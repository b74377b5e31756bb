import { z } from 'zod';
import { IdParam, longText, text } from '../../lib/zod';

export const QuestionParams = z.object({ questionId: IdParam });

export const QuestionBody = z.object({
  text: text(1, 2000),
  options: z.array(z.object({ text: text(1, 500), correct: z.boolean() })).max(10),
  topic: text(0, 100).nullish(),
  explanation: longText(5000).nullish(),
});
export const QuestionPatchBody = QuestionBody.partial();

export const AdminQuestion = z.object({
  id: z.string(),
  contestId: z.string(),
  text: z.string(),
  options: z.array(z.object({ id: z.string(), text: z.string(), correct: z.boolean() })),
  topic: z.string().nullable(),
  explanation: z.string().nullable(),
  updatedAt: z.string(),
});
export type AdminQuestion = z.infer<typeof AdminQuestion>;

export const QuestionListQuery = z.object({
  topic: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});

export const PoolBody = z.object({ questionIds: z.array(IdParam).max(5000) });
export const PoolResponse = z.object({ roundId: z.string(), questionCount: z.number(), size: z.number(), questions: z.array(AdminQuestion) });

import { z } from 'zod';

const Group = z.object({
  id: z.string().nullable().describe('null: people who chose none (or one of another contest)'),
  name: z.string().nullable(),
  headcount: z.number().nullable(),
  participants: z.number(),
  attempts: z.number(),
  submitted: z.number(),
  /** participants / headcount, when a headcount is known. */
  participationRate: z.number().nullable(),
});

export const StatsResponse = z.object({
  roundId: z.string(),
  status: z.enum(['upcoming', 'open', 'closed', 'finalized', 'published']),
  participants: z.number().describe('people with at least one attempt'),
  attempts: z.number(),
  submitted: z.number().describe('submitted attempts'),
  submitters: z.number().describe('people with at least one submitted attempt'),
  byLocality: z.array(Group),
  byUnit: z.array(Group),
  timeline: z.array(z.object({ hour: z.string(), started: z.number(), submitted: z.number() })),
  /**
   * Absent until the round is closed (and the submit grace is over): before that, any
   * score count could answer the prediction question.
   */
  scores: z
    .object({
      perfectEntries: z.number(),
      perfectPeople: z.number(),
      distribution: z.array(z.object({ score: z.number(), total: z.number(), entries: z.number(), people: z.number() })),
    })
    .optional(),
  generatedAt: z.string(),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

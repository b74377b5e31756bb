import { z } from 'zod';
import { IdParam, isoDate, longText, text } from '../../lib/zod';

export const ContestParams = z.object({ contestId: IdParam });
export const RoundParams = z.object({ roundId: IdParam });

export const RoundResponse = z.object({
  id: z.string(),
  contestId: z.string(),
  number: z.number(),
  title: z.string(),
  opensAt: z.string(),
  closesAt: z.string(),
  questionCount: z.number(),
  timeLimitSeconds: z.number(),
  maxAttempts: z.number(),
  status: z.enum(['upcoming', 'open', 'closed', 'finalized', 'published']),
  predictionPrompt: z.string(),
  predictionTarget: z.enum(['all_correct_people', 'all_correct_entries', 'participants', 'entries']),
  revealScore: z.enum(['immediately', 'after_close']),
  prizes: z.array(z.object({ name: z.string(), count: z.number() })),
  /** Fair play: below this per question an attempt is flagged too_fast; null = the default (1500). Staff only: a bot must not learn it. */
  minMsPerQuestion: z.number().nullable().optional(),
  /** Staff only: when no submission can be accepted any more (the answer key opens then), and whether that time has come. */
  sealedAt: z.string().optional(),
  sealed: z.boolean().optional(),
  /** Staff only: the questions in the round's pool. Below questionCount no attempt can start (409 ROUND_NOT_OPEN), even once opensAt has passed. */
  poolSize: z.number().optional(),
});
export type RoundResponse = z.infer<typeof RoundResponse>;

export const ContestSummary = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  status: z.enum(['draft', 'active', 'archived']),
});

export const ContestDetail = ContestSummary.extend({
  description: z.string(),
  rules: z.string(),
  onePrizePerPerson: z.boolean(),
  rounds: z.array(RoundResponse),
  localities: z.array(z.object({ id: z.string(), name: z.string() })),
  units: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const Slug = z
  .string()
  .min(2)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes')
  // The web app's own pages sit beside the contests' (/admin/users).
  .refine((s) => !['users', 'new', 'account'].includes(s), 'this word is reserved')
  // A slug shaped like an id could shadow another contest wherever a contest is named by either.
  .refine((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s), 'must not look like a contest id');

export const ContestBody = z.object({
  slug: Slug,
  title: text(3, 200),
  description: longText(20_000).optional(),
  rules: longText(50_000).optional(),
  onePrizePerPerson: z.boolean().optional(),
  status: z.enum(['draft', 'active', 'archived']).optional(),
});
export const ContestPatchBody = ContestBody.partial();

export const Prize = z.object({ name: text(1, 100), count: z.number().int().min(1).max(100_000) });

const roundFields = {
  number: z.number().int().min(1).max(1000),
  title: text(0, 200).optional(),
  opensAt: isoDate,
  closesAt: isoDate,
  questionCount: z.number().int().min(1).max(200).optional(),
  timeLimitSeconds: z.number().int().min(10).max(86_400).optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  revealScore: z.enum(['immediately', 'after_close']).optional(),
  predictionPrompt: text(0, 500).optional(),
  predictionTarget: z.enum(['all_correct_people', 'all_correct_entries', 'participants', 'entries']).optional(),
  prizes: z.array(Prize).max(50).optional(),
  minMsPerQuestion: z.number().int().min(0).max(600_000).nullable().optional(),
};

export const RoundBody = z.object(roundFields).refine((r) => r.closesAt > r.opensAt, { path: ['closesAt'], message: 'must be after opensAt' });
export type RoundBody = z.infer<typeof RoundBody>;
export const RoundPatchBody = z.object(roundFields).partial();
export type RoundPatchBody = z.infer<typeof RoundPatchBody>;

export const MyContest = ContestSummary.extend({
  /** The caller's membership role in the contest; `admin` for admins (who act on all). */
  role: z.enum(['organizer', 'judge', 'admin']),
});

export const Member = z.object({ userId: z.string(), fullName: z.string(), phone: z.string(), role: z.enum(['organizer', 'judge']) });

export const MembersBody = z.object({
  members: z.array(z.object({ phone: z.string().min(1).max(32), role: z.enum(['organizer', 'judge']) })).max(500),
});
export type MembersBody = z.infer<typeof MembersBody>;

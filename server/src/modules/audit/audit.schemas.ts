import { z } from 'zod';
import { isoDate } from '../../lib/zod';

export const AuditQuery = z.object({
  contestId: z.string().max(100).optional().describe('the contest and everything recorded with its id (rounds, questions, lists)'),
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional().describe('an action ("question.import"), or a prefix ending in a dot ("question.")'),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const AuditRow = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});

export const AuditResponse = z.object({ total: z.number(), offset: z.number(), limit: z.number(), rows: z.array(AuditRow) });

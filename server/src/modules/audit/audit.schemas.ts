import { z } from 'zod';
import { isoDate } from '../../lib/zod';
import { AUDIT_LIST_MAX, LIST_JSON_MAX } from './audit.lists';

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

export const AuditParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('the record’s id, as a list gives it') });

/** How a record of a list reads (audit.lists.ts), for the routes' descriptions. */
export const LIST_RECORDS = `A record of a list replaced whole (the exclusion list, a round’s pool, a contest’s members) says what changed, not the list: before \`{ count, sha256 }\`; after \`{ count, sha256, added, addedCount, removed, removedCount, changed?, changedCount?, truncated }\`, naming at most ${AUDIT_LIST_MAX} items of each kind (\`truncated\` when some are left out; the counts say how many) and \`changed\` as \`{ before, after }\` pairs of items kept under the same key. \`sha256\` is the hex digest of the whole list written one item a line, each line ended by "\\n": for the exclusion list an entry's \`nationalId\`, \`phone\` and \`note\` joined by tabs (empty for none), the lines sorted by their UTF-8 bytes; for members \`userId\` and \`role\` joined by a tab, sorted likewise; for a pool the question ids in the pool’s order. Imports name at most ${AUDIT_LIST_MAX} of what they created (\`truncated\`, the counts, and for questions the digest of all the ids in the file’s order). Records written before this name the lists whole.`;

export const AuditRow = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().describe('what the record says of the object before the action (null: nothing)'),
  after: z.unknown().describe('what it says after'),
  complete: z
    .boolean()
    .describe(
      `false: \`before\` or \`after\` was too large for a list (more than ${LIST_JSON_MAX / 1024} KB) and is replaced by \`{ omitted: true, bytes }\` (\`bytes\`: its size as stored); GET /admin/audit/{id} gives the record whole`,
    ),
});

export const AuditResponse = z.object({ total: z.number(), offset: z.number(), limit: z.number(), rows: z.array(AuditRow) });

import { z } from 'zod';
import { queryFlag } from '../../lib/zod';
import { RowErrorSchema, SheetWarningSchema } from '../../lib/upload';

export const ExclusionEntryBody = z.object({
  nationalId: z.string().max(40).nullish(),
  phone: z.string().max(40).nullish(),
  note: z.string().max(2000).nullish(),
});

export const ExclusionsBody = z.object({ entries: z.array(ExclusionEntryBody).max(100_000) });

export const ExclusionEntryResponse = z.object({
  id: z.string(),
  nationalId: z.string().nullable().describe('12 digits'),
  phone: z.string().nullable().describe('0xxxxxxxxx'),
  note: z.string().nullable(),
});

export const ExclusionsResponse = z.object({ contestId: z.string(), count: z.number(), entries: z.array(ExclusionEntryResponse) });

export const ExclusionImportQuery = z.object({
  dryRun: queryFlag,
  /** replace (default): the file becomes the list; append: the file's entries are added to it. */
  mode: z.enum(['replace', 'append']).default('replace'),
});

export const ExclusionImportResponse = z.object({
  dryRun: z.boolean(),
  mode: z.enum(['replace', 'append']),
  format: z.enum(['xlsx', 'csv']),
  encoding: z.string().nullable(),
  total: z.number().describe('data rows read'),
  valid: z.number(),
  created: z.number().describe('entries written (0 on a dry run or when a row fails)'),
  count: z.number().describe('size of the list after the import (or that it would have)'),
  errors: z.array(RowErrorSchema),
  warnings: z.array(SheetWarningSchema).describe('rows left out because Excel hides them, cells not read as Excel shows them; they never block'),
});

import { z } from 'zod';
import { RowErrorSchema, SheetWarningSchema } from '../../lib/upload';

export const ReferenceItemResponse = z.object({
  id: z.string(),
  name: z.string(),
  headcount: z.number().nullable(),
  registered: z.number().describe('accounts that chose it at registration'),
});

export const ReferenceImportQuery = z.object({
  dryRun: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

export const ReferenceImportResponse = z.object({
  kind: z.enum(['localities', 'units']),
  dryRun: z.boolean(),
  format: z.enum(['xlsx', 'csv']),
  encoding: z.string().nullable(),
  total: z.number(),
  valid: z.number(),
  created: z.number(),
  updated: z.number().describe('existing names whose headcount changed'),
  count: z.number().describe('size of the list after the import (or that it would have)'),
  errors: z.array(RowErrorSchema),
  warnings: z.array(SheetWarningSchema).describe('rows left out because Excel hides them, cells not read as Excel shows them; they never block'),
});

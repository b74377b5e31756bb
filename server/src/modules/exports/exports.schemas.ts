import { z } from 'zod';
import { fileResponse } from '../../lib/upload';
import { IdParam } from '../../lib/zod';
import { CONTENT_TYPES } from './exports.file';

export const ExportParams = z.object({ roundId: IdParam });
export const ExportQuery = z.object({ format: z.enum(['csv', 'xlsx', 'pdf']).default('csv') });
export const ExportResponse = fileResponse(
  'The ranked prize list as a CSV (UTF-8 with a BOM), XLSX or PDF file, by `format`',
  [CONTENT_TYPES.csv.split(';')[0], CONTENT_TYPES.xlsx, CONTENT_TYPES.pdf],
  {
    'content-disposition': { type: 'string', description: 'attachment; filename="xep-hang-<contest slug>-tuan-<round number>.<format>"' },
    'x-content-sha256': { type: 'string', description: 'The SHA-256 of these bytes, hex' },
    'x-results-checksum': { type: 'string', description: 'The checksum of the finalized results the file was made from' },
    'cache-control': { type: 'string', description: 'no-store' },
  },
);

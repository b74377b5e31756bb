import { z } from 'zod';
import { IdParam } from '../../lib/zod';

export const ExportParams = z.object({ roundId: IdParam });
export const ExportQuery = z.object({ format: z.enum(['csv', 'xlsx', 'pdf']).default('csv') });
export const ExportResponse = z.any().describe('The ranked prize list as a CSV, XLSX or PDF file; header x-content-sha256 is the SHA-256 of these bytes');

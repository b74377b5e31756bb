import { z } from 'zod';

export const Health = z.object({ status: z.string(), database: z.string().optional(), redis: z.string().optional() });

import { z } from 'zod';
import { IdParam, text } from '../../lib/zod';
import { Phone } from '../auth/index';

export const OverrideParams = z.object({ roundId: IdParam, userId: IdParam });

export const OverrideBody = z.object({
  extraAttempts: z.number().int().min(0).max(10),
  extraSeconds: z.number().int().min(0).max(86_400),
  reason: text(3, 500),
});
export type OverrideBody = z.infer<typeof OverrideBody>;

export const OverrideResponse = z.object({
  roundId: z.string(),
  userId: z.string(),
  fullName: z.string(),
  phone: z.string(),
  extraAttempts: z.number(),
  extraSeconds: z.number(),
  reason: z.string(),
  updatedAt: z.string(),
  /** Running attempts whose deadline this change moved. */
  extendedAttempts: z.number().optional(),
});
export type OverrideResponse = z.infer<typeof OverrideResponse>;

/** The same, naming the resident by phone (what an organizer has at hand after an incident). */
export const OverrideByPhoneBody = OverrideBody.extend({ phone: Phone });

/** GET /me/overrides: what the caller was granted per round; the organizer's reason stays with staff. */
export const MyOverridesResponse = z.array(z.object({ roundId: z.string(), extraAttempts: z.number(), extraSeconds: z.number() }));

import { z } from 'zod';
import { IdParam } from '../../lib/zod';
import { UserResponse } from '../auth/index';

export const UserParams = z.object({ userId: IdParam });

export const UserSearchQuery = z.object({
  /** A full phone number (any accepted form), or at least 4 of its digits. */
  phone: z.string().trim().min(1).max(32),
});

export const AdminUser = UserResponse.extend({ disabled: z.boolean() });
export type AdminUser = z.infer<typeof AdminUser>;

export const UserPatchBody = z
  .object({
    role: z.enum(['resident', 'organizer', 'judge', 'admin']).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, 'give role or disabled');
export type UserPatchBody = z.infer<typeof UserPatchBody>;

export const TemporaryPasswordResponse = z.object({ temporaryPassword: z.string() });

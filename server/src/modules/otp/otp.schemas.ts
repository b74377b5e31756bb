import { z } from 'zod';
import { NewPassword, Phone } from '../auth/index';

export const OtpBody = z.object({ phone: Phone, purpose: z.enum(['reset', 'register']) });

export const PasswordResetBody = z.object({
  phone: Phone,
  code: z.string().min(1).max(20),
  newPassword: NewPassword,
});

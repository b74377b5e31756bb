// Sign-in, registration, one-time codes and the caller's own account (API.md "Auth").
import { api, type Api } from './client';
import type { BodyOf, ResponseOf } from './openapi';

export type AuthOptions = ResponseOf<'/auth/options'>;
export type AuthResponse = ResponseOf<'/auth/login', 'post'>;
export type RegisterBody = BodyOf<'/auth/register', 'post'>;
export type OtpPurpose = BodyOf<'/auth/otp', 'post'>['purpose'];

export const options = (client: Api = api) => client.get<AuthOptions>('/auth/options', { retries: 1 });
/** `again`: a repeat of a login that has just worked (after a password change): safe to retry. */
export const login = (phone: string, password: string, again = false) =>
  api.post<AuthResponse>('/auth/login', { phone, password }, again ? { retries: 2, idempotent: true } : undefined);
export const register = (body: RegisterBody) => api.post<AuthResponse>('/auth/register', body);
export const logoutAll = () => api.post('/auth/logout-all');
export const changePassword = (currentPassword: string, newPassword: string) => api.post('/auth/password', { currentPassword, newPassword });
export const requestCode = (phone: string, purpose: OtpPurpose, client: Api = api) => client.post('/auth/otp', { phone, purpose });
export const resetPassword = (body: BodyOf<'/auth/password/reset', 'post'>) => api.post('/auth/password/reset', body);
export const me = () => api.get<ResponseOf<'/me'>>('/me', { retries: 1 });

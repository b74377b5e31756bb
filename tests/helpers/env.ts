/** The real services the tests run against (API.md's defaults for this machine). */
export const adminUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function dbUrl(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/** What Fastify's trustProxy takes: every hop, the first n hops, or these addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

function isAddressOrCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return isIP(v) !== 0;
  const family = isIP(v.slice(0, slash));
  const bits = v.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `true`/`false`, a hop count, or a comma-separated list of addresses and CIDRs (API.md
 * "Operating, continued"). Anything else is refused at start: a typo here would silently
 * make every client look like the proxy, and then per-address throttles hit everyone.
 */
export function parseTrustProxy(raw: string): TrustProxy | null {
  const v = raw.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d{1,3}$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim());
  return list.length > 0 && list.every(isAddressOrCidr) ? list : null;
}

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^postgres(ql)?$/ })
        // postgres:// alone would connect to the driver's defaults (this machine, a database named as the OS user).
        .refine((v) => {
          const u = URL.canParse(v) ? new URL(v) : null;
          // A Unix socket is named by ?host=/var/run/postgresql.
          return !!u && (u.hostname !== '' || u.searchParams.has('host'));
        }, 'must name its host: postgres://user:password@host:5432/database')
        .optional(),
    ),
    /** One URL, or with REDIS_CLUSTER=true a comma-separated list of seed nodes of a Redis Cluster. */
    REDIS_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine(
          (v) => v.split(',').every((u) => /^rediss?:\/\/[^\s]+$/.test(u.trim()) && URL.canParse(u.trim())),
          'must be redis://host:port (comma-separated with REDIS_CLUSTER=true)',
        )
        .optional(),
    ),
    REDIS_CLUSTER: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
    JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    JWT_EXPIRES_IN: z
      .string()
      .regex(/^\d+\s*(ms|s|m|h|d)?$/, 'a duration such as 12h, 30m or 3600 (seconds)')
      .refine((v) => /[1-9]/.test(v), 'a duration above zero')
      .default('12h'),
    /** Staff tokens live shorter than residents': a leaked one is worth less. */
    STAFF_JWT_EXPIRES_IN: z
      .string()
      .regex(/^\d+\s*(ms|s|m|h|d)?$/, 'a duration such as 4h, 30m or 3600 (seconds)')
      .refine((v) => /[1-9]/.test(v), 'a duration above zero')
      .default('4h'),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
    WORKERS: z.coerce.number().int().min(1).max(256).default(1),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('data')),
    /** Seed the demo contest on the first embedded start ("auto"), always ("true") or never ("false"). */
    SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
    /**
     * Seconds a start waits for PostgreSQL (DATABASE_URL) to answer before it gives up with
     * one line naming host:port: a URL pointing at something else must not hang the start.
     */
    DB_CONNECT_TIMEOUT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3600).default(30)),
    EXPORT_SWEEP_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(86_400).default(300)),
    /**
     * Verified tokens each API process remembers (about 0.5 KB each), so a resident's next
     * request skips the signature check: at most this many, always the most recent half.
     * Default: app.ts DEFAULT_TOKEN_CACHE_SIZE.
     */
    TOKEN_CACHE_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2).max(10_000_000).optional()),
    /**
     * Started attempts each API process remembers (about 0.5 KB each) so their submit needs
     * neither the summary in Redis nor Postgres. Default: attempts.options.ts.
     */
    ATTEMPT_CACHE_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2).max(10_000_000).optional()),
    TRUST_PROXY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((v, ctx) => {
          const parsed = parseTrustProxy(v);
          if (parsed === null) {
            ctx.addIssue({
              code: 'custom',
              message: `"${v}" is not true, false, a hop count or a comma-separated list of addresses/CIDRs (e.g. 10.0.0.0/8,192.168.1.5)`,
            });
            return z.NEVER;
          }
          return parsed;
        })
        .optional(),
    ),
    /** Bearer token for GET /metrics; in production /metrics is served only with it. */
    METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
    /** Where one-time codes go: "console" (development: the server log) or "http" (a gateway); default console outside production, none in production. */
    OTP_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(['console', 'http', 'none']).optional()),
    OTP_HTTP_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    OTP_HTTP_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** The message, with {code} where the code goes. */
    OTP_MESSAGE_TEMPLATE: z.preprocess(emptyAsUndefined, z.string().max(300).optional()),
    /** Registration needs a code sent to the phone (proves the number is the resident's). */
    REGISTRATION_OTP: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('off')),
    /**
     * Proof of work on registration; default off, as REGISTRATION_OTP: API.md's register body
     * has no `altcha`, so an outside client held to the contract could not register with it on.
     */
    REGISTRATION_POW: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).optional()),
  })
  .superRefine((env, ctx) => {
    const provider = env.OTP_PROVIDER ?? (env.NODE_ENV === 'production' ? 'none' : 'console');
    if (provider === 'http' && (!env.OTP_HTTP_URL || !env.OTP_HTTP_TOKEN))
      ctx.addIssue({ code: 'custom', path: ['OTP_HTTP_URL'], message: 'OTP_PROVIDER=http needs OTP_HTTP_URL and OTP_HTTP_TOKEN' });
    if (env.REGISTRATION_OTP === 'on' && provider === 'none')
      ctx.addIssue({ code: 'custom', path: ['REGISTRATION_OTP'], message: 'needs an OTP_PROVIDER to send the codes' });
    if (env.NODE_ENV !== 'production') return;
    if (provider === 'console')
      ctx.addIssue({ code: 'custom', path: ['OTP_PROVIDER'], message: 'console writes codes to the log: development only; use http in production' });
    if (!env.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production (postgres://...)' });
    if (!env.REDIS_URL) ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'is required in production (redis://...)' });
    if (env.SEED_DEMO === 'true')
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: 'cannot be true in production: the demo contest has known passwords' });
    if (!env.JWT_SECRET || Buffer.byteLength(env.JWT_SECRET) < 32)
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 bytes in production' });
  });

export type Env = z.infer<typeof EnvSchema>;
export interface Config extends Env {
  dataDir: string;
  pgliteDir: string;
  registrationPow: boolean;
  otpProvider: 'console' | 'http' | 'none';
}

export class ConfigError extends Error {}

/** loadConfig for a command (the server, the CLI tools): a bad environment is its message and exit 1, not a stack. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** Parses the environment once; throws ConfigError with every problem listed. An empty variable is an unset one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = resolve(parsed.data.DATA_DIR);
  const registrationPow = parsed.data.REGISTRATION_POW === 'on';
  const otpProvider = parsed.data.OTP_PROVIDER ?? (parsed.data.NODE_ENV === 'production' ? 'none' : 'console');
  return { ...parsed.data, dataDir, pgliteDir: resolve(dataDir, 'pglite'), registrationPow, otpProvider };
}

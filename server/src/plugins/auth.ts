import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../lib/errors';
import { OutageLog } from '../lib/outage-log';
import { TokenVersions, type TokenVersionsOptions } from '../lib/token-versions';
import { loadVersionMoves } from './auth.repo';
import { boundedLru } from '../lib/lru';

export type Role = 'resident' | 'organizer' | 'judge' | 'admin';
export const ROLES: readonly Role[] = ['resident', 'organizer', 'judge', 'admin'];

export interface TokenClaims {
  sub: string;
  role: Role;
  /** The account's token version when issued (absent in tokens of the first release: 0). */
  tv?: number;
  /** Issued after a help-desk reset: only the password change (and GET /me, logout-all) may run. */
  pwc?: boolean;
}

/** What a token is made from: the account as it is now. */
export interface TokenSubject {
  id: string;
  role: Role;
  tokenVersion: number;
  passwordChangeRequired?: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest/preHandler: any valid, unrevoked token. */
    authenticate: preHandlerAsyncHookHandler;
    /** onRequest/preHandler: a valid token whose role is one of `roles` (admin always passes). */
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
    signToken(subject: TokenSubject): string;
    /** The revocation list of this process (lib/token-versions.ts). */
    tokenVersions: TokenVersions;
    /** After bumping an account's token version: this process refuses the older tokens at once (the others within their poll). */
    revokeLocally(account: { id: string; tokenVersion: number; disabledAt: Date | null }): void;
  }
  interface FastifyContextConfig {
    /** The route still answers a token that must change its password first (API.md v1.1). */
    allowPasswordChangeRequired?: boolean;
  }
}

export interface AuthOptions {
  secret: string;
  /** Residents' token lifetime (e.g. "12h"). */
  expiresIn: string;
  /** Staff tokens live shorter: a leaked one is worth less. */
  staffExpiresIn: string;
  /** Verified tokens remembered: at most this many, always the most recent half. */
  cacheSize: number;
  versions?: Partial<TokenVersionsOptions>;
}

const JWT_CODES: Record<string, string> = {
  FST_JWT_NO_AUTHORIZATION_IN_HEADER: 'Missing bearer token',
  FST_JWT_AUTHORIZATION_TOKEN_EXPIRED: 'Token expired',
  FST_JWT_AUTHORIZATION_TOKEN_INVALID: 'Invalid token',
  FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED: 'Untrusted token',
  FST_JWT_BAD_REQUEST: 'Malformed authorization header',
  FST_JWT_BAD_COOKIE_REQUEST: 'Malformed token',
};

type Payload = Partial<TokenClaims> & { exp?: number };

function claimsOf(p: Payload | null | undefined): TokenClaims | null {
  if (!p || typeof p.sub !== 'string' || typeof p.role !== 'string' || !ROLES.includes(p.role)) return null;
  if (p.tv !== undefined && (typeof p.tv !== 'number' || !Number.isInteger(p.tv))) return null;
  const c: TokenClaims = { sub: p.sub, role: p.role, tv: p.tv ?? 0 };
  if (p.pwc === true) c.pwc = true;
  return c;
}

/** "12h", "30m", "3600" (seconds) or "90s" as milliseconds, for the revocation window. */
export function durationMs(v: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) return 24 * 3_600_000;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

/**
 * A token lifetime as @fastify/jwt's `expiresIn` in seconds (a number), read by durationMs as
 * the revocation window is: given the string, @fastify/jwt would read a bare "3600" as
 * milliseconds, where the config and README mean seconds.
 */
const lifetimeS = (v: string) => durationMs(v) / 1000;

export default fp(
  async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
    // The algorithm is pinned both ways: tokens are signed with HS256 and only HS256 is
    // accepted, so `alg: none` or an asymmetric-key confusion never verifies.
    await app.register(fastifyJwt, {
      secret: opts.secret,
      sign: { algorithm: 'HS256', expiresIn: lifetimeS(opts.expiresIn) },
      verify: { algorithms: ['HS256'] },
    });

    const versions = new TokenVersions(
      (sinceMs) => loadVersionMoves(app.database, sinceMs),
      { windowMs: Math.max(durationMs(opts.expiresIn), durationMs(opts.staffExpiresIn)), ...opts.versions },
      new OutageLog(app.log, 'token revocations poll', opts.versions?.now),
    );
    await versions.start();
    app.addHook('onClose', async () => versions.stop());
    app.decorate('tokenVersions', versions);
    app.decorate('revokeLocally', (a: { id: string; tokenVersion: number; disabledAt: Date | null }) =>
      versions.apply({ userId: a.id, version: a.tokenVersion, disabled: a.disabledAt !== null, changedAtMs: Date.now() }),
    );

    // A token is an immutable, signed fact until it expires: once verified, this process
    // remembers its claims instead of checking the HMAC again on every request of a burst.
    // Revocation is checked on every request, hit or miss.
    // The cache (lib/lru.ts) should hold the residents of a quiz's duration at peak: a token
    // that fell out costs its next request a signature check and a new entry that later dies
    // in the old generation (issue #12: the bench's 130,000 residents through a 50,000-token
    // cache cost each submit 23–43 µs more API CPU, alternated runs of 2026-11-30).
    const verified = boundedLru<string, { claims: TokenClaims; expMs: number }>(opts.cacheSize);

    function claimsFromHeader(req: FastifyRequest): TokenClaims | null {
      const header = req.headers.authorization;
      const token = header && header.length > 7 && header.startsWith('Bearer ') ? header.slice(7) : null;
      if (!token) return null;
      const hit = verified.get(token);
      if (hit && hit.expMs > Date.now()) return hit.claims;
      let payload: Payload | null;
      try {
        payload = app.jwt.verify<Payload>(token);
      } catch {
        return null;
      }
      const claims = claimsOf(payload);
      if (!claims || typeof payload.exp !== 'number') return null;
      verified.set(token, { claims, expMs: payload.exp * 1000 });
      return claims;
    }

    async function authenticate(req: FastifyRequest) {
      let claims = claimsFromHeader(req);
      if (!claims) {
        // Not a valid bearer token: the plugin's verifier says why, in the words of the 401.
        try {
          await req.jwtVerify();
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          const expired = code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
          throw unauthorized(JWT_CODES[code] ?? 'Invalid token', expired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED');
        }
        claims = claimsOf(req.user as Payload);
        if (!claims) throw unauthorized('Invalid token');
      }
      if (versions.isRevoked(claims.sub, claims.tv ?? 0)) throw unauthorized('This token was revoked: log in again', 'TOKEN_REVOKED');
      req.user = claims;
      if (claims.pwc && !req.routeOptions.config.allowPasswordChangeRequired)
        throw forbidden('PASSWORD_CHANGE_REQUIRED', 'Choose a new password first (POST /auth/password)');
    }

    app.decorate('authenticate', async (req: FastifyRequest, _reply: FastifyReply) => authenticate(req));
    app.decorate('requireRole', (...roles: Role[]) => {
      const allowed = new Set<Role>([...roles, 'admin']);
      return async function requireRole(req: FastifyRequest, _reply: FastifyReply) {
        await authenticate(req);
        if (!allowed.has(req.user.role)) throw forbidden('FORBIDDEN', `This action needs the role ${roles.join(' or ')}`);
      };
    });
    app.decorate('signToken', (s: TokenSubject) => {
      const claims: TokenClaims = { sub: s.id, role: s.role, tv: s.tokenVersion };
      if (s.passwordChangeRequired) claims.pwc = true;
      return app.jwt.sign(claims, { expiresIn: lifetimeS(s.role === 'resident' ? opts.expiresIn : opts.staffExpiresIn) });
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

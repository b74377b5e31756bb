import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../lib/errors';

export type Role = 'resident' | 'organizer' | 'judge' | 'admin';
export const ROLES: readonly Role[] = ['resident', 'organizer', 'judge', 'admin'];
export const STAFF_ROLES: readonly Role[] = ['organizer', 'judge', 'admin'];

export interface TokenClaims {
  sub: string;
  role: Role;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: any valid token. */
    authenticate: preHandlerAsyncHookHandler;
    /** preHandler: a valid token whose role is one of `roles` (admin always passes). */
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
    signToken(claims: TokenClaims): string;
  }
}

export interface AuthOptions {
  secret: string;
  expiresIn: string;
}

const JWT_CODES: Record<string, string> = {
  FST_JWT_NO_AUTHORIZATION_IN_HEADER: 'Missing bearer token',
  FST_JWT_AUTHORIZATION_TOKEN_EXPIRED: 'Token expired',
  FST_JWT_AUTHORIZATION_TOKEN_INVALID: 'Invalid token',
  FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED: 'Untrusted token',
  FST_JWT_BAD_REQUEST: 'Malformed authorization header',
  FST_JWT_BAD_COOKIE_REQUEST: 'Malformed token',
};

function isClaims(p: unknown): p is TokenClaims {
  const c = p as Partial<TokenClaims> | null;
  return !!c && typeof c.sub === 'string' && typeof c.role === 'string' && (ROLES as string[]).includes(c.role);
}

export default fp(
  async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
    // The algorithm is pinned both ways: tokens are signed with HS256 and only HS256 is
    // accepted, so `alg: none` or an asymmetric-key confusion never verifies.
    await app.register(fastifyJwt, {
      secret: opts.secret,
      sign: { algorithm: 'HS256', expiresIn: opts.expiresIn },
      verify: { algorithms: ['HS256'] },
    });

    async function authenticate(req: FastifyRequest, _reply: FastifyReply) {
      try {
        await req.jwtVerify();
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const expired = code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
        throw unauthorized(JWT_CODES[code] ?? 'Invalid token', expired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED');
      }
      if (!isClaims(req.user)) throw unauthorized('Invalid token');
    }

    app.decorate('authenticate', authenticate);
    app.decorate('requireRole', (...roles: Role[]) => {
      const allowed = new Set<Role>([...roles, 'admin']);
      return async function requireRole(req: FastifyRequest, reply: FastifyReply) {
        await authenticate(req, reply);
        if (!allowed.has(req.user.role)) throw forbidden('FORBIDDEN', `This action needs the role ${roles.join(' or ')}`);
      };
    });
    app.decorate('signToken', (claims: TokenClaims) => app.jwt.sign({ sub: claims.sub, role: claims.role }));
  },
  { name: 'auth' },
);

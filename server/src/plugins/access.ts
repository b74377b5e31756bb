import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, notFound } from '../lib/errors';
import { memberRole, type ScopeVia } from './access.repo';

export type StaffRole = 'organizer' | 'judge' | 'admin';

/**
 * Who may use a staff route (API.md v1.1 "Who may act on a contest"). Every route under
 * /admin or /judge declares it in `config.access`; the app refuses to start if one does
 * not, so no route can forget the membership check.
 */
export interface Access {
  /** Membership roles that fit the route (checked against the account's role when the route is on no contest). Admins always pass. */
  roles: StaffRole[];
  /** The path parameter naming the contest the route acts on, or an object of it; absent: the route is on no single contest. */
  scope?: { param: string; via: ScopeVia };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const STAFF_PATH = /^\/api\/v1\/(admin|judge)(\/|$)/;
const WHAT: Record<ScopeVia, string> = { contest: 'Contest', round: 'Round', question: 'Question' };

export default fp(
  async function accessPlugin(app: FastifyInstance) {
    function guard(access: Access): onRequestHookHandler {
      const roles = new Set<string>(access.roles);
      return async function checkAccess(req: FastifyRequest, reply) {
        await app.authenticate.call(app, req, reply);
        const role = req.user.role;
        if (role === 'admin') return;
        if (role === 'resident') throw forbidden('FORBIDDEN', 'This action is for contest staff');
        if (!access.scope) {
          if (!roles.has(role)) throw forbidden('FORBIDDEN', `This action needs the role ${access.roles.join(' or ')}`);
          return;
        }
        const id = (req.params as Record<string, unknown>)[access.scope.param];
        const member = typeof id === 'string' && id.length > 0 ? await memberRole(app.database, access.scope.via, id, req.user.sub) : null;
        // A membership whose role no longer matches the account (a role change) counts for nothing.
        if (!member || member !== role) throw notFound(WHAT[access.scope.via]);
        if (!roles.has(member))
          throw forbidden('FORBIDDEN', `This action needs a ${access.roles.filter((r) => r !== 'admin').join(' or ')} member of the contest`);
      };
    }

    app.addHook('onRoute', (route: RouteOptions) => {
      const access = route.config?.access;
      if (!access) {
        if (STAFF_PATH.test(route.url)) throw new Error(`${String(route.method)} ${route.url}: a staff route must declare config.access`);
        return;
      }
      const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
      route.onRequest = [guard(access), ...existing];
    });
  },
  { name: 'access', dependencies: ['auth', 'db'] },
);

/** Route `config` for a staff route: `config: staffOn.round('organizer')`. */
export const staffOn = {
  contest: (...roles: StaffRole[]) => ({ access: { roles, scope: { param: 'contestId', via: 'contest' as const } } }),
  round: (...roles: StaffRole[]) => ({ access: { roles, scope: { param: 'roundId', via: 'round' as const } } }),
  question: (...roles: StaffRole[]) => ({ access: { roles, scope: { param: 'questionId', via: 'question' as const } } }),
  /** On no single contest (creating one, listing one's own, accounts, an import job of one's own). */
  none: (...roles: StaffRole[]) => ({ access: { roles } }),
};

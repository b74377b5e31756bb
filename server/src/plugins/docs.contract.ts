// The operations API.md (/work/shared/API.md, contract v1.1) lists, transcribed from its
// tables and from the routes its prose names (v1.1 additions and clarifications). The
// OpenAPI document marks every other operation as an extension (plugins/docs.ts); a test
// holds the two together. Add a route here only when API.md gains it.

/** The contract's version, as the document's info.version gives it. */
export const CONTRACT_VERSION = '1.1.0';

/** Under the base path /api/v1, as API.md writes them. */
const API_ROUTES = [
  // Accounts
  'POST /auth/register',
  'POST /auth/login',
  'GET /me',
  'GET /me/attempts',
  // Contests and rounds (public)
  'GET /contests',
  'GET /contests/:contestId',
  'GET /rounds/:roundId/answer-key',
  'GET /rounds/:roundId/winners',
  // Taking a round (resident)
  'POST /rounds/:roundId/attempts',
  'POST /attempts/:attemptId/submit',
  // Organizing (organizer)
  'POST /admin/contests',
  'PATCH /admin/contests/:contestId',
  'POST /admin/contests/:contestId/rounds',
  'PATCH /admin/rounds/:roundId',
  'POST /admin/contests/:contestId/questions',
  'GET /admin/contests/:contestId/questions',
  'PATCH /admin/questions/:questionId',
  'DELETE /admin/questions/:questionId',
  'PUT /admin/rounds/:roundId/questions',
  'POST /admin/contests/:contestId/questions/import',
  'GET /admin/contests/:contestId/questions/export',
  'PUT /admin/contests/:contestId/exclusions',
  'GET /admin/rounds/:roundId/stats',
  // Judging (judge)
  'POST /judge/rounds/:roundId/finalize',
  'GET /judge/rounds/:roundId/ranking',
  'POST /judge/rounds/:roundId/disqualifications',
  'DELETE /judge/rounds/:roundId/disqualifications/:userId',
  'GET /judge/rounds/:roundId/export',
  'POST /judge/rounds/:roundId/publish',
  // v1.1: who may act on a contest (table, and the routes its prose and the clarifications name)
  'GET /admin/contests/:contestId/members',
  'PUT /admin/contests/:contestId/members',
  'GET /admin/contests',
  'GET /admin/contests/:contestId',
  // v1.1: accounts and tokens
  'POST /auth/logout-all',
  'POST /auth/password',
  'GET /admin/users',
  'PATCH /admin/users/:userId',
  // v1.1: one-time codes and password resets
  'POST /auth/otp',
  'POST /auth/password/reset',
  'POST /admin/users/:userId/password-reset',
  // v1.1: question quality and corrections (table, and the clarifications' key confirmation)
  'GET /admin/contests/:contestId/questions/lint',
  'GET /admin/rounds/:roundId/item-analysis',
  'POST /admin/questions/:questionId/correction',
  'POST /admin/questions/:questionId/key-confirmation',
] as const;

/** Outside the base path: "Operating" and "Operating, continued". */
const ROOT_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /metrics'] as const;

/** A route as fastify names it ("GET /api/v1/contests/:contestId"), path parameters by position only. */
const routeKey = (method: string, url: string) => `${method.toUpperCase()} ${url.replace(/:\w+/g, ':')}`;

export function contractRoutes(apiPrefix: string): string[] {
  return [...API_ROUTES.map((r) => r.replace(' /', ` ${apiPrefix}/`)), ...ROOT_ROUTES];
}

/** Whether API.md lists the operation (fastify's method and url, the prefix included). */
export function contractRouteMatcher(apiPrefix: string): (method: string, url: string) => boolean {
  const keys = new Set(contractRoutes(apiPrefix).map((r) => routeKey(...(r.split(' ') as [string, string]))));
  return (method, url) => keys.has(routeKey(method, url));
}

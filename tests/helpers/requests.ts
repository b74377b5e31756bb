import type { FastifyInstance, InjectOptions } from 'fastify';
import { checksumOf, type RankedRow } from '../../server/src/lib/ranking';
import { multipart } from '../fixtures/sheets';
import { bearer, PASSWORD } from './factories';

/**
 * The requests many test files make, in one place: each takes the app it asks (a file
 * often has two) and answers the raw response, so a test asserts on it as before.
 */

export const API = '/api/v1';

/** What a request may add: its own headers (merged over the token's), a client address. */
export type Extra = Pick<InjectOptions, 'headers' | 'remoteAddress'>;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Any API request: `path` below /api/v1, with a bearer token when given, and a JSON body when given. */
export function call(app: FastifyInstance, method: Method, path: string, token?: string, payload?: unknown, extra: Extra = {}) {
  return app.inject({
    method,
    url: `${API}${path}`,
    remoteAddress: extra.remoteAddress,
    headers: { ...(token ? bearer(token) : {}), ...extra.headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** A POST of one file as multipart form data (field `file`), to `path` below /api/v1. */
export function uploadFile(app: FastifyInstance, path: string, token: string, file: Buffer, name: string) {
  const m = multipart(file, name);
  return call(app, 'POST', path, token, m.payload, { headers: m.headers });
}

/** An attempt as POST /rounds/:roundId/attempts serves it (the parts the tests read). */
export interface Served {
  attemptId: string;
  attemptNo: number;
  questions: { id: string; options: { id: string }[] }[];
}

/** POST /rounds/:roundId/attempts: starts (201) or resumes (200) an attempt. */
export const start = (app: FastifyInstance, roundId: string, token: string, extra?: Extra) =>
  call(app, 'POST', `/rounds/${roundId}/attempts`, token, undefined, extra);

/** POST /attempts/:attemptId/submit. */
export const submit = (app: FastifyInstance, attemptId: string, token: string, payload: unknown, extra?: Extra) =>
  call(app, 'POST', `/attempts/${attemptId}/submit`, token, payload, extra);

/** A submit body that picks the first option of every served question (the first `count` only, when given). */
export const firstOptions = (served: Pick<Served, 'questions'>, prediction = 1, count = served.questions.length) => ({
  answers: served.questions.slice(0, count).map((q) => ({ questionId: q.id, optionId: q.options[0].id })),
  prediction,
});

/** POST /judge/rounds/:roundId/finalize (without a token: as nobody). */
export const finalize = (app: FastifyInstance, roundId: string, token?: string) => call(app, 'POST', `/judge/rounds/${roundId}/finalize`, token);

/** A row of GET /judge/rounds/:roundId/ranking (the fields the tests read). */
export interface RankingRow {
  userId: string;
  attemptId: string;
  attemptNo: number;
  position: number;
  rank: number | null;
  prize: string | null;
  score: number;
  predictionError: number;
  eligible: boolean;
  ineligibleReason?: string | null;
  submittedAt: string;
}

/**
 * The checksum recomputed from ranking rows as the API serves them (JSON: empty optional
 * columns left out, dates as text), to compare with the checksum finalize answered.
 */
export function checksumOfServedRows(rows: readonly object[]): string {
  const served = rows as (Omit<RankedRow, 'submittedAt'> & { submittedAt: string })[];
  return checksumOf(
    served.map((x) => ({
      ...x,
      locality: x.locality ?? null,
      unit: x.unit ?? null,
      category: x.category ?? null,
      ineligibleReason: x.ineligibleReason ?? null,
      submittedAt: new Date(x.submittedAt),
    })),
  );
}

/** GET /judge/rounds/:roundId/ranking, `query` as given (e.g. '?limit=1000'). */
export const ranking = (app: FastifyInstance, roundId: string, token: string, query = '') =>
  call(app, 'GET', `/judge/rounds/${roundId}/ranking${query}`, token);

/** POST /judge/rounds/:roundId/publish. */
export const publish = (app: FastifyInstance, roundId: string, token: string) => call(app, 'POST', `/judge/rounds/${roundId}/publish`, token);

/** POST /auth/login. */
export const login = (app: FastifyInstance, phone: string, password = PASSWORD, extra?: Extra) =>
  call(app, 'POST', '/auth/login', undefined, { phone, password }, extra);

/** POST /auth/register. */
export const register = (app: FastifyInstance, payload: unknown, extra?: Extra) => call(app, 'POST', '/auth/register', undefined, payload, extra);

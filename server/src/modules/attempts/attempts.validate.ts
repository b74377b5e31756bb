import { validatorCompiler } from 'fastify-type-provider-zod';
import type { SubmitBody } from './attempts.schemas';

type ZodRouteSchema = Parameters<typeof validatorCompiler>[0];
interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}

const MAX_ITEMS = 200;
const MAX_ID = 100;
const MAX_PREDICTION = 100_000_000;

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The submit body as SubmitBody (attempts.schemas.ts) would give it, when it is plainly
 * valid; null for anything else, which zod then checks and words. Stricter than the schema
 * is fine (zod decides); looser is not: every check below is one of the schema's. Like
 * zod, the value holds the declared keys only, so nothing undeclared reaches the writer.
 */
export function plainSubmitBody(data: unknown): SubmitBody | null {
  if (!isRecord(data)) return null;
  const { answers, choices, prediction } = data;
  if (typeof prediction !== 'number' || !Number.isSafeInteger(prediction) || prediction < 0 || prediction > MAX_PREDICTION) return null;
  const out: SubmitBody = { prediction };
  if (answers !== undefined) {
    if (!Array.isArray(answers) || answers.length > MAX_ITEMS) return null;
    const clean = new Array<{ questionId: string; optionId: string }>(answers.length);
    for (let i = 0; i < answers.length; i++) {
      const a: unknown = answers[i];
      if (!isRecord(a) || !isId(a.questionId) || !isId(a.optionId)) return null;
      clean[i] = { questionId: a.questionId, optionId: a.optionId };
    }
    out.answers = clean;
  }
  if (choices !== undefined) {
    // No length bound here (the 64 KB body bounds it): a length other than the attempt's is
    // the contract's INVALID_ANSWERS, which answersOf words, not a schema error.
    if (!Array.isArray(choices)) return null;
    for (let i = 0; i < choices.length; i++) {
      const c: unknown = choices[i];
      if (c !== null && !(typeof c === 'number' && Number.isSafeInteger(c))) return null;
    }
    out.choices = choices.slice() as (number | null)[];
  }
  return out;
}

/**
 * The submit route's validatorCompiler: a hand check of the body on the hot path (a zod
 * parse of 20 id pairs costs about as much as parsing their JSON), zod for everything it
 * does not accept, so a refused body gets zod's 400 (VALIDATION_FAILED with its details,
 * plugins/errors.ts) and attachValidation works as before. Params go to zod.
 */
export function submitValidatorCompiler(routeSchema: RouteSchema) {
  const zod = validatorCompiler(routeSchema as ZodRouteSchema);
  if (routeSchema.httpPart !== 'body') return zod;
  return (data: unknown) => {
    if (data instanceof UnreadableBody) return { error: data.error };
    const value = plainSubmitBody(data);
    return value ? { value } : zod(data);
  };
}

/**
 * A body the JSON parser could not read, handed on (instead of refused at once) to a route
 * whose config says `anyBody`: API.md's "submitting again, with any body, returns the
 * stored result" holds for broken JSON too; a first submit still gets the parser's 400.
 */
export class UnreadableBody {
  constructor(readonly error: Error) {}
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The JSON parser hands an unreadable body on as an UnreadableBody instead of refusing it (app.ts). */
    anyBody?: boolean;
  }
}

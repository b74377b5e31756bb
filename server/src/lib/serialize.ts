import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ZodRouteSchema = Parameters<typeof zodSerializerCompiler>[0];
/** What Fastify hands a route's serializerCompiler for each response status. */
interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpStatus?: string;
}

/**
 * A route's serializerCompiler for the hot routes: a 2xx response is written by
 * fast-json-stringify, compiled once from the JSON schema of the route's zod response
 * schema, instead of a zod encode and JSON.stringify per request. The zod schema stays on
 * the route, so the OpenAPI document does not change.
 *
 * The guarantee stays the same: z.toJSONSchema gives every object `additionalProperties:
 * false` and its declared properties, and fast-json-stringify writes only declared
 * properties, so a field the service did not mean to send (an option's `correct`, an
 * explanation) cannot reach a contestant. A missing required field throws (a 500), as the
 * zod encode did. Error answers (4xx, 5xx) are rare and carry free-form `details`: zod.
 */
export function compiledSerializerCompiler(routeSchema: RouteSchema): (data: unknown) => string {
  const status = String(routeSchema.httpStatus ?? '');
  if (!status.startsWith('2')) return zodSerializerCompiler(routeSchema as ZodRouteSchema);
  return compileResponse(routeSchema.schema as z.ZodType);
}

/** The compiled writer of one zod response schema (exported for tests). */
export function compileResponse(schema: z.ZodType): (data: unknown) => string {
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
  assertClosed(json);
  return fastJson(json as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
}

/**
 * Every object of a hot response must list its properties and allow no others: an open
 * object would be written with whatever the service put in it.
 */
function assertClosed(node: unknown, path = '#'): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (n.type === 'object' && (n.additionalProperties !== false || typeof n.properties !== 'object'))
    throw new Error(`compiled response schema: object at ${path} is open (declare its properties, no catchall)`);
  for (const [k, v] of Object.entries(n)) {
    if (Array.isArray(v)) v.forEach((x, i) => assertClosed(x, `${path}/${k}/${i}`));
    else if (v && typeof v === 'object') assertClosed(v, `${path}/${k}`);
  }
}

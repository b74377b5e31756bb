import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The process's logger. Logs leave the machine (a log shipper, a hosted service), so they
 * must not carry residents' personal data (Decree 13/2023): names, phones, CCCD numbers,
 * password hashes. Requests are logged by route and status only (Fastify's serializers); what
 * could still carry them is an error, as drizzle wraps a failed query in an error whose
 * message, stack and `params` hold the query's bound values ("Failed query: …\nparams: Lý
 * Thường Kiệt,0977333444,$argon2id$…"), and Postgres's `detail` names the values of a key
 * ("Key (phone)=(0977333444) already exists"). The `err` serializer below keeps what an
 * operator needs (type, code, SQLSTATE, constraint, the SQL text with its $n placeholders, the
 * stack's frames) and drops those; `redact` is the backstop for fields logged by hand.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: { err: safeError },
      redact: {
        paths: [
          'params',
          'parameters',
          '*.params',
          '*.parameters',
          'req.headers.authorization',
          'req.headers.cookie',
          'phone',
          '*.phone',
          'password',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Fields of an error (or of one of its causes) that can hold the values of a query or a row. */
const VALUE_FIELDS = new Set(['params', 'parameters', 'args', 'detail', 'where', 'hint']);

/** "Failed query: <sql>\nparams: <values>" → "Failed query: <sql>" (the SQL has only placeholders). */
function withoutValues(text: string): string {
  const at = text.indexOf('\nparams:');
  if (at < 0) return text;
  // A stack: the message's line, then the frames after the params' line.
  const rest = text.slice(at + 1);
  const frames = rest.indexOf('\n    at ');
  return text.slice(0, at) + (frames < 0 ? '' : rest.slice(frames));
}

/** pino's error serializer, cause chain included, less the values a failed query carries. */
export function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return scrub(pino.stdSerializers.errWithCause(err) as unknown as Record<string, unknown>, 0);
}

function scrub(o: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (VALUE_FIELDS.has(k)) continue;
    if ((k === 'message' || k === 'stack') && typeof v === 'string') out[k] = withoutValues(v);
    else if (k === 'cause' && v && typeof v === 'object' && depth < 5) out[k] = scrub(v as Record<string, unknown>, depth + 1);
    else out[k] = v;
  }
  return out;
}

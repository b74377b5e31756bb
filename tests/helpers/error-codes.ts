// The error codes the server can answer with, read from its sources (server/src): the
// helpers of lib/errors.ts called with a literal code (or their default one), AppErrors,
// and the answers written by hand. Used by the tests that hold the web app's texts and the
// OpenAPI document's table to every code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under a folder. */
export const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

const CODE = /'([A-Z][A-Z0-9_]+)'/g;
const codesIn = (text: string) => [...text.matchAll(CODE)].map((m) => m[1]);

/** Index just past the string or template literal that starts at `i`. */
function skipString(src: string, i: number): number {
  const quote = src[i];
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === quote) return j + 1;
    else if (quote === '`' && src[j] === '$' && src[j + 1] === '{') j = skipBalanced(src, j + 1) - 1;
  }
  return src.length;
}

/** Index just past the bracket that closes the one at `open`. */
function skipBalanced(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === "'" || ch === '"' || ch === '`') i = skipString(src, i) - 1;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) return i + 1;
  }
  return src.length;
}

/** The source of each argument of the call whose parenthesis opens at `open`. */
function argumentsAt(src: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === "'" || ch === '"' || ch === '`') i = skipString(src, i) - 1;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) {
      args.push(src.slice(start, i));
      break;
    } else if (ch === ',' && depth === 1) {
      args.push(src.slice(start, i));
      start = i + 1;
    }
  }
  return args.map((a) => a.trim()).filter((a) => a.length > 0);
}

/** lib/errors.ts helpers: the status each answers with, the argument holding the code, the code when it has none. */
const HELPERS: Record<string, { status: number; arg: number; fallback?: string }> = {
  badRequest: { status: 400, arg: 0 },
  forbidden: { status: 403, arg: 0 },
  conflict: { status: 409, arg: 0 },
  unauthorized: { status: 401, arg: 1, fallback: 'UNAUTHORIZED' },
  notFound: { status: 404, arg: 1, fallback: 'NOT_FOUND' },
  tooManyRequests: { status: 429, arg: -1, fallback: 'RATE_LIMITED' },
  unavailable: { status: 503, arg: -1, fallback: 'SERVICE_UNAVAILABLE' },
};

/**
 * Code → the statuses the sources answer it with (null: not said where it is thrown, as
 * the framework's BAD_REQUEST, whose status is the framework error's own).
 */
export function serverErrorCodes(root = 'server/src'): Map<string, Set<number | null>> {
  const found = new Map<string, Set<number | null>>();
  const add = (code: string, status: number | null) => found.set(code, (found.get(code) ?? new Set()).add(status));
  for (const file of sources(root)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\b(badRequest|forbidden|conflict|unauthorized|notFound|tooManyRequests|unavailable)\(/g)) {
      const helper = HELPERS[m[1]];
      const args = argumentsAt(src, m.index + m[0].length - 1);
      const codes = helper.arg >= 0 && args[helper.arg] !== undefined ? codesIn(args[helper.arg]) : [];
      if (codes.length) codes.forEach((c) => add(c, helper.status));
      else if (helper.fallback && (helper.arg < 0 || args[helper.arg] === undefined)) add(helper.fallback, helper.status);
    }
    for (const m of src.matchAll(/\bnew AppError\(/g)) {
      const [status, code] = argumentsAt(src, m.index + m[0].length - 1);
      if (/^\d+$/.test(status ?? '')) codesIn(code ?? '').forEach((c) => add(c, Number(status)));
    }
    // Answers written by hand: the error handler's send(reply, status, code, …), and error bodies.
    for (const m of src.matchAll(/\bsend\(reply,\s*(\d+),\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[2], Number(m[1]));
    for (const m of src.matchAll(/\bstatusCode: (\d+),\s*code: '([A-Z][A-Z0-9_]+)'/g)) add(m[2], Number(m[1]));
    // A framework error's own code, or this one (errors.ts).
    for (const m of src.matchAll(/\? [\w.]+ : '([A-Z][A-Z0-9_]+)';/g)) add(m[1], null);
  }
  return found;
}

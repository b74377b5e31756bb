import type { LintQuestion } from './question-lint.thresholds';

// The lint's text helpers: normalization (see question-lint.ts), tokens, phrases, n-grams.

/** NFC, lower case, diacritics and đ folded: "Tỉnh Ủy" -> "tinh uy". */
export function fold(s: string): string {
  // One pass over the UTF-16 code units through a table filled on first sight (decomposing
  // every text anew was most of the whole-bank lint's time). Each letter folds to one
  // character, so folded options keep their lengths.
  const text = s.normalize('NFC');
  const n = text.length;
  if (n > FOLD_BUFFER.length) return foldSlow(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let f = c < FOLD_TABLE.length ? FOLD_TABLE[c] : c;
    if (f === 0) f = FOLD_TABLE[c] = foldChar(c);
    FOLD_BUFFER[i] = f;
  }
  return String.fromCharCode.apply(null, FOLD_BUFFER.subarray(0, n) as unknown as number[]);
}

// Latin, its extensions and the Vietnamese block (U+1E00–U+1EFF); characters beyond stay as they are.
const FOLD_TABLE = new Uint16Array(0x1f00);
const FOLD_BUFFER = new Uint16Array(8192);

function foldChar(c: number): number {
  const ch = String.fromCharCode(c);
  const folded = ch.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  if (folded.length === 1) return folded.charCodeAt(0);
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

function foldSlow(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c < FOLD_TABLE.length ? (FOLD_TABLE[c] ||= foldChar(c)) : c);
  }
  return out;
}

const TOKEN = /[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu;

/** Syllables and numbers of a text ("1.861.035", "96,6" stay one token each). */
export function tokens(s: string): string[] {
  return fold(s).match(TOKEN) ?? [];
}

/** A question folded and split once; every rule reads this. */
export interface Prepared {
  q: LintQuestion;
  stem: string;
  stemTokens: string[];
  /** The stem's tokens joined, with a space at each end, for whole-phrase search. */
  stemPhrase: string;
  opts: string[];
  /** Tokens of each option, split when first needed (most rules read only `opts`). */
  optTokens: (string[] | undefined)[];
  correct: number;
}

export function prepare(q: LintQuestion): Prepared {
  const stem = fold(q.text);
  const opts = q.options.map((o) => fold(o.text).trim());
  const stemTokens = stem.match(TOKEN) ?? [];
  return { q, stem, stemTokens, stemPhrase: phrase(stemTokens), opts, optTokens: [], correct: q.options.findIndex((o) => o.correct) };
}

export function optionTokens(p: Prepared, i: number): string[] {
  return (p.optTokens[i] ??= p.opts[i].match(TOKEN) ?? []);
}
export const allOptionTokens = (p: Prepared) => p.opts.map((_, i) => optionTokens(p, i));

/** Tokens are folded text, so their digits are ASCII. */
export const isNumber = (t: string) => {
  const c = t.charCodeAt(0);
  return c >= 48 && c <= 57;
};
export const phrase = (ts: string[]) => ' ' + ts.join(' ') + ' ';

export function ngrams(ts: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ts.length; i++) out.push(ts.slice(i, i + n).join(' '));
  return out;
}

export function quote(text: string, max = 60): string {
  const t = text.normalize('NFC').replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

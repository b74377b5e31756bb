import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksumOf, CANONICAL_COLUMNS, type RankedRow } from '../../../server/src/lib/ranking';
import { CanonicalCopyHash } from '../../../server/src/modules/judging/canonical-copy';

// judging/canonical-copy.ts: the canonical checksum from COPY's text format, whatever the
// chunks. COPY's text format is modelled here as the manual states it (a backslash, tab, LF,
// CR, backspace, form feed and vertical tab escaped; NULL written as '' with `null ''`);
// staged-checksum.test.ts holds the class to what Postgres and PGlite really write.

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

function copyField(v: RankedRow[keyof RankedRow]): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v.replace(/[\\\t\n\r\b\f\v]/g, (c) => COPY_ESCAPES[c]);
  return String(v);
}

const copyText = (rows: RankedRow[]) => Buffer.from(rows.map((r) => CANONICAL_COLUMNS.map((c) => copyField(r[c])).join('\t') + '\n').join(''), 'utf8');

const NAMES = ['Nguyễn Văn An', 'Lê\\Văn\tAn\r\nB', '\\', 'Phạm\bVăn\fC\v', 'true\t', '\\b\\f\\v', ''];

function rowsOf(n: number): RankedRow[] {
  let rank = 0;
  return Array.from({ length: n }, (_, i) => {
    const eligible = i % 5 !== 2;
    return {
      position: i + 1,
      rank: eligible ? ++rank : null,
      prize: eligible && rank <= 2 ? 'Giải\\Nhất' : null,
      userId: `user-${i}`,
      fullName: NAMES[i % NAMES.length],
      nationalId: null,
      phone: `09${i}`,
      birthYear: i % 2 ? 1990 : null,
      locality: NAMES[(i + 3) % NAMES.length],
      unit: null,
      category: i % 4 === 0 ? 'true' : null,
      attemptId: `attempt-${i}`,
      attemptNo: 1,
      score: 20 - (i % 7),
      total: 20,
      prediction: i * 3,
      predictionError: i,
      durationMs: 1000 + i,
      submittedAt: new Date(Date.UTC(2026, 10, 20) + i * 1001),
      eligible,
      // A reason ending like a ranked line's last fields must not count as ranked.
      ineligibleReason: eligible ? null : i % 2 ? 'excluded' : 'disqualified: true\t',
    };
  });
}

function hashIn(bytes: Buffer, sizes: number[]) {
  const h = new CanonicalCopyHash();
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    h.push(bytes.subarray(at, at + n));
    at += n;
  }
  return { checksum: h.digest(), ranked: h.ranked, rows: h.rows };
}

describe('CanonicalCopyHash', () => {
  const rows = rowsOf(60);
  const bytes = copyText(rows);
  const expected = { checksum: checksumOf(rows), ranked: rows.filter((r) => r.eligible).length, rows: 60 };

  it('is checksumOf over the rows, with lines and ranked lines counted, however the bytes are chunked', () => {
    expect(bytes.includes('\\b')).toBe(true);
    for (const sizes of [[bytes.length], [1], [2], [3, 7, 1, 19], [6], [7], [64]]) expect(hashIn(bytes, sizes)).toEqual(expected);
  });

  it('is the checksum of no rows for no bytes', () => {
    expect(hashIn(Buffer.alloc(0), [1])).toEqual({ checksum: checksumOf([]), ranked: 0, rows: 0 });
  });

  it('undoes \\b \\f \\v and keeps the escapes the canonical line makes, even split from their backslash', () => {
    const canonical = createHash('sha256').update('a\bc\fd\ve\\\\x\\ty\\nz\\r\n').digest('hex');
    const copy = Buffer.from('a\\bc\\fd\\ve\\\\x\\ty\\nz\\r\n');
    for (const sizes of [[100], [1], [2], [3]]) expect(hashIn(copy, sizes)).toEqual({ checksum: canonical, ranked: 0, rows: 1 });
  });

  it('says whether the lines came in position order (their first fields 1, 2, 3, …), however the bytes are chunked', () => {
    const orderedIn = (b: Buffer, sizes: number[]) => {
      const h = new CanonicalCopyHash();
      for (let at = 0, k = 0; at < b.length; k++) {
        const n = sizes[k % sizes.length];
        h.push(b.subarray(at, at + n));
        at += n;
      }
      return h.ordered;
    };
    const swapped = [...rows];
    [swapped[29], swapped[30]] = [swapped[30], swapped[29]];
    const lines = bytes.toString('utf8').split('\n');
    const cases: [Buffer, boolean][] = [
      [bytes, true],
      [copyText(swapped), false],
      [copyText(rows.slice(1)), false],
      [copyText([...rows.slice(0, 9), ...rows.slice(10)]), false],
      // The last line's number with a digit too many, an empty first field, a number with more after it.
      [Buffer.from([...lines.slice(0, 59), lines[59].replace(/^60/, '600'), ''].join('\n')), false],
      [Buffer.from([...lines.slice(0, 59), lines[59].replace(/^60/, ''), ''].join('\n')), false],
      [Buffer.from([...lines.slice(0, 59), lines[59].replace(/^60/, '60x'), ''].join('\n')), false],
    ];
    for (const [b, ordered] of cases) for (const sizes of [[b.length], [1], [2], [3, 7, 1, 19], [64]]) expect(orderedIn(b, sizes)).toBe(ordered);
  });

  it('refuses data that stops inside a line or an escape', () => {
    for (const cut of [bytes.length - 1, bytes.indexOf('\\') + 1]) {
      const h = new CanonicalCopyHash();
      h.push(bytes.subarray(0, cut));
      expect(() => h.digest()).toThrow(/inside a line/);
    }
  });
});

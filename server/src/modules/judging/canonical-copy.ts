// The checksum of lib/ranking.ts checksumOf over rows that Postgres writes out with COPY in
// its text format, hashed as the bytes arrive (finalize.sql.ts stagedChecksum, insertStagedRows).
import { createHash } from 'node:crypto';

const BACKSLASH = 0x5c;
const LF = 0x0a;
const TAB = 0x09;
const ZERO = 0x30;
const NINE = 0x39;
/** COPY's escapes that the canonical line does not make, and the byte each stands for. */
const EXTRA_ESCAPES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x76: 0x0b }; // \b \f \v
/** A line's last two fields when it is ranked: eligible `true`, no ineligibility reason. */
const RANKED_END = Buffer.from('\ttrue\t');

/**
 * Hashes the canonical lines (lib/ranking.ts canonicalLine) from COPY ... TO STDOUT in the
 * text format, given the canonical columns in order, NULL written as the empty string
 * (`null ''`), booleans as text and submittedAt already in its ISO form. COPY's text format
 * is then the canonical line but for three escapes: both separate fields with a tab, end a
 * line with LF and write a backslash, tab, LF and CR inside a field as \\ \t \n \r, but COPY
 * also writes backspace, form feed and vertical tab as \b \f \v, which the canonical line
 * keeps as they are: those are undone here, everything else is hashed as it came. Lines
 * are counted, and the ranked ones among them (ending in `true` and an empty reason), and
 * their first field (the position) is checked to run 1, 2, 3, … (`ordered`). Chunks may
 * split a line or an escape anywhere.
 */
export class CanonicalCopyHash {
  private readonly hash = createHash('sha256');
  /** The last chunk ended inside an escape: its backslash is not hashed yet. */
  private escapeOpen = false;
  /** The stream's last bytes so far, for a line end near the start of a chunk. */
  private tail = Buffer.alloc(0);
  rows = 0;
  ranked = 0;
  /** Whether every line so far began with its own number (1, 2, 3, …) and a tab. */
  ordered = true;
  /** The current line's first field so far: its value, and whether it is still being read. */
  private first = 0;
  private inFirst = true;
  private lines = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.count(chunk);
    if (this.ordered) this.checkOrder(chunk);
    let from = 0;
    if (this.escapeOpen) {
      this.escapeOpen = false;
      this.escape(chunk[0]);
      from = 1;
    }
    for (let at = chunk.indexOf(BACKSLASH, from); at !== -1; at = chunk.indexOf(BACKSLASH, from)) {
      this.hash.update(chunk.subarray(from, at));
      if (at + 1 === chunk.length) {
        this.escapeOpen = true;
        return;
      }
      this.escape(chunk[at + 1]);
      from = at + 2;
    }
    if (from < chunk.length) this.hash.update(chunk.subarray(from));
  }

  /** The hex SHA-256; throws when the data stopped inside an escape or a line. */
  digest(): string {
    if (this.escapeOpen || (this.tail.length > 0 && this.tail[this.tail.length - 1] !== LF)) throw new Error('COPY data ended inside a line');
    return this.hash.digest('hex');
  }

  private escape(c: number): void {
    const raw = EXTRA_ESCAPES[c];
    this.hash.update(raw === undefined ? Buffer.of(BACKSLASH, c) : Buffer.of(raw));
  }

  private checkOrder(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.inFirst) {
        while (at < chunk.length && chunk[at] >= ZERO && chunk[at] <= NINE) this.first = this.first * 10 + (chunk[at++] - ZERO);
        if (at === chunk.length) return;
        if (chunk[at] !== TAB || this.first !== ++this.lines) {
          this.ordered = false;
          return;
        }
        this.inFirst = false;
        this.first = 0;
      }
      const lf = chunk.indexOf(LF, at);
      if (lf === -1) return;
      at = lf + 1;
      this.inFirst = true;
    }
  }

  private count(chunk: Buffer): void {
    const n = RANKED_END.length;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
      this.rows++;
      const before =
        lf >= n ? chunk.subarray(lf - n, lf) : Buffer.concat([this.tail.subarray(Math.max(0, this.tail.length - (n - lf))), chunk.subarray(0, lf)]);
      if (before.equals(RANKED_END)) this.ranked++;
    }
    // A copy: the chunk's memory is not ours to keep.
    this.tail = Buffer.from(chunk.length >= n ? chunk.subarray(chunk.length - n) : Buffer.concat([this.tail, chunk]).subarray(-n));
  }
}

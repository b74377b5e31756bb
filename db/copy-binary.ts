// PostgreSQL's binary COPY format (the manual, "COPY", "Binary Format"): an 11-byte
// signature, a 32-bit flags field and a 32-bit header extension length (then the
// extension), then per tuple a 16-bit field count, and per field a 32-bit length (-1 for
// NULL) and that many bytes; a field count of -1 ends the data. All integers big-endian.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = SIGNATURE.length + 8;

/**
 * Reads a binary COPY (db/client.ts copyOut with `(format binary)`) tuple by tuple: give it
 * the chunks in order (`push`), then call `end`. `onTuple` gets each tuple's fields as views
 * into the received bytes (valid only during the call; null for NULL). Chunks may split a
 * tuple anywhere: the unread rest waits for the next chunk. `push` throws on a malformed
 * header, `end` when the data stopped before its trailer.
 */
export class BinaryCopyReader {
  private pending: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private ended = false;

  constructor(private onTuple: (fields: (Buffer | null)[]) => void) {}

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('binary COPY data after its trailer');
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const used = this.parse(buf);
    // A copy: the chunk's memory is not ours to keep.
    this.pending = used === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(used));
  }

  end(): void {
    if (!this.ended || this.pending.length > 0) throw new Error('binary COPY data ended early');
  }

  /** Reads what `buf` holds completely; returns the offset of the first unread byte. */
  private parse(buf: Buffer): number {
    let at = 0;
    if (!this.headerRead) {
      if (buf.length < HEADER) return 0;
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      if (buf.length < HEADER + extension) return 0;
      at = HEADER + extension;
      this.headerRead = true;
    }
    while (at + 2 <= buf.length) {
      const count = buf.readInt16BE(at);
      if (count === -1) {
        this.ended = true;
        if (at + 2 < buf.length) throw new Error('binary COPY data after its trailer');
        return at + 2;
      }
      const fields: (Buffer | null)[] = [];
      let p = at + 2;
      for (let i = 0; i < count; i++) {
        if (p + 4 > buf.length) return at;
        const len = buf.readInt32BE(p);
        p += 4;
        if (len === -1) {
          fields.push(null);
          continue;
        }
        if (p + len > buf.length) return at;
        fields.push(buf.subarray(p, p + len));
        p += len;
      }
      this.onTuple(fields);
      at = p;
    }
    return at;
  }
}

import type { Readable } from 'node:stream';

// PostgreSQL's binary COPY format (the manual, "COPY", "Binary Format"): an 11-byte
// signature, a 32-bit flags field and a 32-bit header extension length (then the
// extension), then per tuple a 16-bit field count, and per field a 32-bit length (-1 for
// NULL) and that many bytes; a field count of -1 ends the data. All integers big-endian.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = SIGNATURE.length + 8;

/**
 * Reads a binary COPY stream (db/client.ts copyOut with `(format binary)`) tuple by tuple:
 * `onTuple` gets each tuple's fields as views into the received chunks (valid only during
 * the call; null for NULL). Chunks may split a tuple anywhere: the unread rest waits for
 * the next chunk. Rejects on a stream error, a malformed header or a stream that ends
 * before its trailer; a malformed stream is still read to its end, so the connection that
 * sends it is not left paused mid-COPY.
 */
export function readBinaryCopy(stream: Readable, onTuple: (fields: (Buffer | null)[]) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let headerRead = false;
    let ended = false;
    let failure: Error | null = null;
    // Parses what `buf` holds completely; returns the offset of the first unread byte.
    const parse = (buf: Buffer): number => {
      let at = 0;
      if (!headerRead) {
        if (buf.length < HEADER) return 0;
        if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
        const extension = buf.readInt32BE(SIGNATURE.length + 4);
        if (buf.length < HEADER + extension) return 0;
        at = HEADER + extension;
        headerRead = true;
      }
      while (!ended && at + 2 <= buf.length) {
        const count = buf.readInt16BE(at);
        if (count === -1) {
          ended = true;
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
        onTuple(fields);
        at = p;
      }
      return at;
    };
    stream.on('data', (chunk: Buffer) => {
      if (ended || failure) return;
      const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        const used = parse(buf);
        pending = used === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(used));
      } catch (err) {
        failure = err as Error;
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (failure) reject(failure);
      else if (ended && pending.length === 0) resolve();
      else reject(new Error('binary COPY stream ended early'));
    });
  });
}

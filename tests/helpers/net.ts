import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP port free on 127.0.0.1 right now, for a server a test starts itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A TCP proxy to `target` that a test can cut (every connection dropped, the port closed) and
 * bring back on the same port, and whose answers it can hold back and then hand over in one
 * write, as a client too busy to read finds them (holdReplies / releaseReplies).
 */
export class CuttableProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  private holding = false;
  private held = new Map<Socket, Buffer[]>();
  port = 0;
  constructor(private target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (!this.holding) {
          if (!client.write(chunk)) upstream.pause();
          return;
        }
        const held = this.held.get(client);
        if (held) held.push(chunk);
        else this.held.set(client, [chunk]);
      });
      client.on('drain', () => upstream.resume());
      upstream.on('end', () => client.end());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** From now on, keeps what the target sends instead of passing it on. */
  holdReplies(): void {
    this.holding = true;
  }

  /** The bytes held so far, over all connections. */
  heldBytes(): Buffer {
    return Buffer.concat([...this.held.values()].flat());
  }

  /** Passes on what was held, each connection's in one write, and passes on as before. */
  releaseReplies(): void {
    this.holding = false;
    for (const [client, chunks] of this.held) client.write(Buffer.concat(chunks));
    this.held.clear();
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_JWT_SECRET } from './app';

/**
 * The environment of a compiled server under test: one process on 127.0.0.1, the test JWT
 * secret, info logs, no demo seed, no Redis; `over` sets the rest (DATABASE_URL, PORT, …).
 */
export function serverEnv(over: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: '',
    HOST: '127.0.0.1',
    WORKERS: '1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    NODE_ENV: 'development',
    ...over,
  };
}

/** The compiled server (dist/server.js, which tests/global-setup.ts builds) run as `npm start` runs it, with its output kept. */
export class ServerProcess {
  output = '';
  readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['dist/server.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
  }

  /**
   * Asks `url` every `everyMs` until it answers 2xx and `ready()` holds; fails with the
   * output when the process exits first or `withinMs` pass.
   */
  async serving(url: string, o: { name: string; withinMs: number; everyMs: number; ready?: () => boolean }): Promise<void> {
    const since = Date.now();
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`${o.name} exited early:\n${this.output}`);
      if (Date.now() - since > o.withinMs) throw new Error(`${o.name} did not start in ${o.withinMs / 1000} s:\n${this.output}`);
      const up = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (up && (o.ready?.() ?? true)) return;
      await new Promise((r) => setTimeout(r, o.everyMs));
    }
  }

  /** Sends `signal` if the process still runs, and waits until it has exited. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    // A child ended by a signal keeps exitCode null: its signalCode says it is gone.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

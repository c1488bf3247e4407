/**
 * A private redis-server, for tests that restart Redis or need settings of their own: the
 * machine's Redis is shared by every test file and is never stopped or reconfigured.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const exec = promisify(execFile);

export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    /** redis-server's options beyond the port and the loopback address. */
    private readonly options: string[],
  ) {}

  /** A redis-server on a free loopback port with `options` (e.g. `--appendonly yes`), started. */
  static async start(options: string[]): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  cli(...args: string[]) {
    return exec('redis-cli', ['-p', String(this.port), ...args]);
  }

  /** Starts it (again, after stop()) on the same port; waits for PONG. */
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', ...this.options],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      const pong = await this.cli('ping').then(
        ({ stdout }) => stdout.trim(),
        () => '',
      );
      if (pong === 'PONG') return;
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Shuts it down as an operator would (it writes its append-only file first, if it keeps one). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.cli('shutdown').catch(() => child.kill('SIGTERM'));
    await exited;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real server as a child process (`src/cli.ts serve --simulated-clock`, through tsx so the
 * working tree runs without a build), on PostgreSQL (`DATABASE_URL`) or an embedded data dir.
 * `kill9` is a real `SIGKILL`: no shutdown hook runs, in-flight requests and jobs die mid-way.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The sign-in budget the servers run with (attempts per email per minute). The harness signs in
 * only to probe the limit (`probeRateLimit`): every other actor keeps the session it signed up with.
 */
export const SIGNIN_BUDGET = 5;

export interface ServerSecrets {
  payments: string;
  carrier: string;
}

export interface ServerOptions {
  /** PostgreSQL server; absent: the embedded database in `dataDir`. */
  databaseUrl?: string;
  /** Data dir (the embedded database, media). */
  dataDir: string;
  port: number;
  secrets: ServerSecrets;
  log?: (line: string) => void;
}

const OUTPUT_KEEP = 64 * 1024;

/** Children still running: killed when the harness's own process exits (e.g. a test that timed out), so no server outlives it. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export class ServerProcess {
  readonly baseUrl: string;
  /** Milliseconds from spawn to the first healthy `/healthz`, per start. */
  readonly startups: number[] = [];
  #proc: ChildProcess | null = null;
  #output = '';
  #exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ServerOptions) {
    this.baseUrl = `http://127.0.0.1:${opts.port}`;
  }

  get running(): boolean {
    return this.#proc !== null && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** The last 64 KB the server wrote (stdout and stderr), for failure reports. */
  output(): string {
    return this.#output;
  }

  /** Lines of the server's log at level error or above (pino JSON), e.g. unhandled 500s and failed jobs. */
  errorLines(): string[] {
    return this.#output.split('\n').filter((l) => /"level":(50|60)/.test(l));
  }

  async start(timeoutMs = 120_000): Promise<number> {
    if (this.running) throw new Error('server already running');
    const t0 = Date.now();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.opts.port),
      HOST: '127.0.0.1',
      DATABASE_URL: this.opts.databaseUrl ?? '',
      LOOPSHOP_DATA_DIR: this.opts.dataDir,
      LOG_LEVEL: 'warn',
      LOOPSHOP_SEED_DEMO: 'false',
      LOOPSHOP_WEB_DIST: path.join(this.opts.dataDir, 'no-web'),
      LOOPSHOP_SANDBOX_WEBHOOK_SECRET: this.opts.secrets.payments,
      LOOPSHOP_SANDBOX_CARRIER_SECRET: this.opts.secrets.carrier,
      // Simulated months pass: sessions must outlive them. Jobs poll often so webhooks apply soon.
      LOOPSHOP_SESSION_TTL_DAYS: '3650',
      LOOPSHOP_JOB_POLL_MS: '200',
      // The harness checks correctness, not throttling (every client is on 127.0.0.1), except the
      // per-account sign-in limit, which it probes across nodes (no actor signs in otherwise).
      LOOPSHOP_SIGNIN_RATE_MAX: String(SIGNIN_BUDGET),
      LOOPSHOP_SIGNIN_ADDRESS_RATE_MAX: '100000',
      LOOPSHOP_SIGNUP_RATE_MAX: '100000',
      LOOPSHOP_CHECKOUT_RATE_MAX: '100000',
      LOOPSHOP_EVENTS_RATE_MAX: '100000',
    };
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--simulated-clock'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#proc = proc;
    children.add(proc);
    this.#exited = new Promise((resolve) =>
      proc.once('exit', () => {
        children.delete(proc);
        resolve();
      }),
    );
    const keep = (d: Buffer) => {
      this.#output += d.toString('utf8');
      if (this.#output.length > OUTPUT_KEEP * 2) this.#output = this.#output.slice(-OUTPUT_KEEP);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    for (;;) {
      if (!this.running) throw new Error(`server exited during start (code ${proc.exitCode}, signal ${proc.signalCode}):\n${this.#output.slice(-4000)}`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - t0 > timeoutMs) {
        await this.kill9();
        throw new Error(`server did not answer /healthz within ${timeoutMs} ms:\n${this.#output.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = Date.now() - t0;
    this.startups.push(ms);
    const ready = [...this.#output.matchAll(/ready in (\d+) ms/g)].at(-1)?.[1];
    this.opts.log?.(`server up (pid ${proc.pid}) in ${ms} ms${ready ? ` (${ready} ms of it opening the database, migrating and listening)` : ''}`);
    return ms;
  }

  /** SIGKILL: the process dies at once, whatever it was doing. */
  async kill9(): Promise<void> {
    if (!this.#proc) return;
    if (this.running) this.#proc.kill('SIGKILL');
    await this.#exited;
    this.#proc = null;
  }

  /** SIGTERM: graceful shutdown (stops jobs, closes the database). */
  async stop(): Promise<void> {
    if (!this.#proc) return;
    if (this.running) {
      this.#proc.kill('SIGTERM');
      const timer = setTimeout(() => this.#proc?.kill('SIGKILL'), 20_000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#proc = null;
  }
}

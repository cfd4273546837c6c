/**
 * The harness's HTTP client: JSON over fetch with a Bearer token, an optional Idempotency-Key,
 * and an outcome that separates answers (any status) from no answer (connection refused or cut:
 * the server was killed, so the request may or may not have taken effect).
 *
 * Several server processes: requests go round-robin to the nodes marked up, so one buyer's
 * consecutive requests land on different nodes. A request whose node refuses the connection (it
 * died and nothing was sent) goes to the next node, as a load balancer does, and is counted in
 * `rerouted`; a connection cut mid-request is no answer, since the request may have taken effect.
 * `node` in the options sends a request to one node only (the clock, the cross-node probes).
 */
export type Outcome<T = unknown> =
  | { kind: 'answer'; status: number; body: T; code: string | null; replayed: boolean }
  | { kind: 'no_answer'; error: string };

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** A raw body sent as is (signed webhooks). */
  raw?: string;
  /** A multipart body (document uploads). */
  form?: FormData;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  timeoutMs?: number;
  /** This node only (an index into the node list): no round-robin, no rerouting. */
  node?: number;
}

export interface ServerErrorRecord {
  method: string;
  path: string;
  status: number;
  body: string;
}

export class Api {
  /** Every 5xx answer: a 5xx is a bug (the sandbox provider and carrier never fail). */
  readonly serverErrors: ServerErrorRecord[] = [];
  requests = 0;
  /** Requests that found their node down (connection refused) and were sent to another node. */
  rerouted = 0;
  /** Requests answered, per node. */
  readonly perNode: number[];
  readonly baseUrls: readonly string[];
  readonly #down = new Set<number>();
  #next = 0;

  constructor(baseUrls: string | readonly string[]) {
    this.baseUrls = typeof baseUrls === 'string' ? [baseUrls] : [...baseUrls];
    if (this.baseUrls.length === 0) throw new Error('Api needs at least one node');
    this.perNode = this.baseUrls.map(() => 0);
  }

  get size(): number {
    return this.baseUrls.length;
  }

  /** The node is being killed: new requests go elsewhere (its in-flight ones are cut). */
  markDown(node: number): void {
    this.#down.add(node);
  }

  markUp(node: number): void {
    this.#down.delete(node);
  }

  /** The nodes taking requests, in index order. */
  liveNodes(): number[] {
    return this.baseUrls.map((_, i) => i).filter((i) => !this.#down.has(i));
  }

  /** Where a request goes: the next live node and then the others (all nodes when none is up, e.g. one node restarting). */
  #route(): number[] {
    const live = this.liveNodes();
    const pool = live.length > 0 ? live : this.baseUrls.map((_, i) => i);
    const start = this.#next++ % pool.length;
    return [...pool.slice(start), ...pool.slice(0, start)];
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<Outcome<T>> {
    const order = opts.node !== undefined ? [opts.node] : this.#route();
    let out: Outcome<T> | null = null;
    for (const [i, node] of order.entries()) {
      if (i > 0) this.rerouted++;
      out = await this.#send<T>(node, method, path, opts);
      // Refused: the request never reached a server, so another node may take it.
      if (!(out.kind === 'no_answer' && out.error === 'ECONNREFUSED')) return out;
    }
    return out!;
  }

  async #send<T>(node: number, method: string, path: string, opts: RequestOptions): Promise<Outcome<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    this.requests++;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrls[node]}${path}`, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000) });
      text = await res.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { kind: 'no_answer', error: cause?.code ?? cause?.message ?? (e as Error).message };
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    this.perNode[node]!++;
    const code = res.status >= 400 ? ((parsed as { error?: { code?: string } } | null)?.error?.code ?? null) : null;
    if (res.status >= 500) this.serverErrors.push({ method, path, status: res.status, body: text.slice(0, 2000) });
    return { kind: 'answer', status: res.status, body: parsed as T, code, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  /** A request that must succeed with one of `statuses` (setup steps): throws otherwise. */
  async must<T = unknown>(method: string, path: string, opts: RequestOptions = {}, statuses: number[] = [200, 201]): Promise<T> {
    const out = await this.request<T>(method, path, opts);
    if (out.kind === 'no_answer') throw new Error(`${method} ${path}: no answer (${out.error})`);
    if (!statuses.includes(out.status)) throw new Error(`${method} ${path}: ${out.status} ${JSON.stringify(out.body).slice(0, 1000)}`);
    return out.body;
  }
}

export const isAnswer = <T>(o: Outcome<T>, ...statuses: number[]): o is Extract<Outcome<T>, { kind: 'answer' }> =>
  o.kind === 'answer' && (statuses.length === 0 || statuses.includes(o.status));

/** The status of an answer, or what went wrong when there was none (for messages). */
export const describe = (o: Outcome<unknown>): string => (o.kind === 'answer' ? String(o.status) : o.error);

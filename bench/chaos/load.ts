/**
 * The chaos benchmark's own small mixed load, closed-loop and bounded in count and time, on
 * loopback only: anonymous public reads through the edge (items and lists), authenticated
 * project reads and `/me` reads at the origin, sign-ins, and project renames whose acknowledged
 * values go to the ledger. Every answer is recorded (status 0: no answer within the timeout or
 * a refused connection), and every read is checked against the ledger.
 */
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { Ledger, nameFor, PROJECTS, seqIn, USERS, type ChaosProject } from './ledger.ts';

export type Kind = 'edge-read' | 'origin-read' | 'me' | 'sign-in' | 'write';

/** One request and how it ended. */
export interface LoadRecord {
  kind: Kind;
  /** Milliseconds on the load's clock. */
  start: number;
  end: number;
  /** HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  /** Older than the ledger allows (origin: any acknowledged write before it; edge: beyond the bound). */
  stale: boolean;
  /** Edge reads: served stale because the origin failed (`detail=stale-if-error`). */
  staleIfError?: boolean;
  /** Edge reads that failed: the edge's `Cache-Status`, which says why. */
  cacheStatus?: string;
}

export interface LoadOptions {
  edgeUrl: string;
  originUrl: string;
  /** Admin tokens per tenant, for writes and private reads. */
  adminTokens: Record<string, string>;
  /** Concurrent clients. */
  workers: number;
  /** Hard caps: the load stops at whichever comes first. */
  maxRequests: number;
  maxMs: number;
  /** How far an edge read may lag an acknowledged write (the documented purge bound). */
  edgeBoundMs: number;
  requestTimeoutMs: number;
  seed: number;
}

// The mix, in percent: mostly anonymous edge reads, as a public API sees them.
const MIX: readonly [Kind, number][] = [
  ['edge-read', 50],
  ['origin-read', 20],
  ['me', 12],
  ['sign-in', 3],
  ['write', 15],
];
// A pause between a client's requests, so the load leaves the 2-core machine some room.
const THINK_MS = 5;

/** mulberry32: a small seeded generator, so a run's mix can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MixedLoad {
  readonly records: LoadRecord[] = [];
  readonly ledger = new Ledger();
  readonly #options: LoadOptions;
  readonly #random: () => number;
  readonly #origin = performance.now();
  #running = false;
  #writesPaused = false;
  #workers: Promise<void>[] = [];
  #sent = 0;

  constructor(options: LoadOptions) {
    this.#options = options;
    this.#random = random(options.seed);
  }

  now(): number {
    return performance.now() - this.#origin;
  }

  start(): void {
    this.#running = true;
    this.#workers = Array.from({ length: this.#options.workers }, () => this.#work());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  /** True while the load runs (it stops by itself at its caps). */
  get running(): boolean {
    return this.#running && this.#sent < this.#options.maxRequests && this.now() < this.#options.maxMs;
  }

  /** Stops starting writes and resolves once none is in flight. */
  async pauseWrites(): Promise<void> {
    this.#writesPaused = true;
    while (this.ledger.writing()) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  resumeWrites(): void {
    this.#writesPaused = false;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  #kind(): Kind {
    let roll = this.#random() * 100;
    for (const [kind, weight] of MIX) {
      if ((roll -= weight) < 0) return kind;
    }
    return 'edge-read';
  }

  async #work(): Promise<void> {
    while (this.running) {
      this.#sent++;
      await this.#one(this.#kind());
      await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    }
  }

  async #request(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers | undefined }> {
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#options.requestTimeoutMs) });
      return { status: response.status, body: await response.text(), headers: response.headers };
    } catch {
      return { status: 0, body: '', headers: undefined };
    }
  }

  #record(kind: Kind, start: number, status: number, stale = false, edge?: { staleIfError: boolean; cacheStatus: string }): void {
    this.records.push({
      kind,
      start,
      end: this.now(),
      status,
      stale,
      ...(edge ? { staleIfError: edge.staleIfError } : {}),
      ...(edge && status >= 500 ? { cacheStatus: edge.cacheStatus } : {}),
    });
  }

  async #one(kind: Kind): Promise<void> {
    const { edgeUrl, originUrl, adminTokens, edgeBoundMs } = this.#options;
    const start = this.now();
    const ok = (status: number) => status >= 200 && status < 300;
    switch (kind) {
      case 'edge-read': {
        const project = this.#pick(PROJECTS.filter((p) => p.public));
        // One read in five is the tenant's list, which holds every public project of it.
        const list = this.#random() < 0.2;
        const path = list ? `/v1/${project.tenant}/public/projects` : `/v1/${project.tenant}/public/projects/${project.id}`;
        const { status, body, headers } = await this.#request(`${edgeUrl}${path}`);
        const covered = list ? PROJECTS.filter((p) => p.public && p.tenant === project.tenant) : [project];
        const stale = ok(status) && covered.some((p) => seqIn(p, body) < this.ledger.ackedBy(p, start - edgeBoundMs));
        const cacheStatus = headers?.get('cache-status') ?? '';
        this.#record(kind, start, status, stale, { staleIfError: /stale-if-error/.test(cacheStatus), cacheStatus });
        return;
      }
      case 'origin-read': {
        const project = this.#pick(PROJECTS);
        const { status, body } = await this.#request(`${originUrl}/v1/${project.tenant}/projects/${project.id}`, {
          headers: { authorization: `Bearer ${adminTokens[project.tenant]}` },
        });
        this.#record(kind, start, status, ok(status) && seqIn(project, body) < this.ledger.ackedBy(project, start));
        return;
      }
      case 'me': {
        const session = this.ledger.sessions.length > 0 ? this.#pick(this.ledger.sessions) : undefined;
        if (!session) return this.#one('sign-in');
        const { status } = await this.#request(`${originUrl}/v1/${session.tenant}/me`, { headers: { authorization: `Bearer ${session.token}` } });
        this.#record(kind, start, status);
        return;
      }
      case 'sign-in': {
        const user = this.#pick(USERS);
        const { status, body } = await this.#request(`${originUrl}/v1/${user.tenant}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: user.email, password: DEMO_PASSWORD }),
        });
        if (ok(status)) this.ledger.sessions.push({ tenant: user.tenant, token: (JSON.parse(body) as { token: string }).token, at: this.now() });
        this.#record(kind, start, status);
        return;
      }
      case 'write': {
        if (this.#writesPaused) return this.#one('origin-read');
        const project = this.#pick(PROJECTS);
        const seq = this.ledger.beginWrite(project);
        if (seq === undefined) return this.#one('origin-read');
        const { status } = await this.#write(project, seq, adminTokens[project.tenant]!);
        this.ledger.endWrite(project, seq, ok(status) ? this.now() : undefined);
        this.#record(kind, start, status);
        return;
      }
    }
  }

  #write(project: ChaosProject, seq: number, token: string) {
    return this.#request(`${this.#options.originUrl}/v1/${project.tenant}/projects/${project.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: nameFor(project, seq) }),
    });
  }
}

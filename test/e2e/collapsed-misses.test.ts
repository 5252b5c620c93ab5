/**
 * Collapsed misses as workerd runs them: each client request its own request context (Miniflare
 * over HTTP; the edge tests call the app inside one context, where this cannot show). A request
 * that joins another's origin fetch has nothing of its own pending while it waits, and workerd
 * cancels such a request as hung, answering 500 with none of the edge's headers: the chaos
 * `upstash-hung` edge 500 (docs/chaos.md). The origin here holds each answer until the test
 * releases it, so the joiners are known to wait.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../../local/bundle-worker.ts';
import { compatibilityDate } from './stack.ts';

/** An origin that answers each public project only once the test releases it, and says what arrived. */
class HeldOrigin {
  readonly server: Server;
  readonly arrived: string[] = [];
  readonly #held = new Map<string, ServerResponse[]>();
  readonly #waiting = new Set<() => void>();

  constructor() {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://origin').pathname;
      this.arrived.push(path);
      this.#held.set(path, [...(this.#held.get(path) ?? []), response]);
      for (const check of this.#waiting) check();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Resolves once `times` requests for `path` have reached the origin (now or already). */
  reached(path: string, times = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.arrived.filter((p) => p === path).length < times) return;
        this.#waiting.delete(check);
        resolve();
      };
      this.#waiting.add(check);
      check();
    });
  }

  /** Answers every held request for `path` (and those to come) with a cacheable 200. */
  release(path: string): void {
    for (const response of this.#held.get(path) ?? []) {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' }).end(JSON.stringify({ path }));
    }
    this.#held.set(path, []);
  }

  /** Answers whatever is still held, so nothing is left open. */
  releaseAll(): void {
    for (const path of this.#held.keys()) this.release(path);
  }
}

/** An Upstash endpoint that accepts connections and never answers (its Redis stopped). */
async function hungUpstash(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('collapsed misses in workerd, each request in its own context', () => {
  let script: string;
  let date: string;
  let origin: HeldOrigin;
  let mf: Miniflare | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    [script, date] = await Promise.all([bundleWorker('edge/index.ts'), compatibilityDate()]);
    origin = new HeldOrigin();
    origin.server.listen(0, '127.0.0.1');
    await once(origin.server, 'listening');
  });
  afterEach(async () => {
    logs.length = 0;
    origin.releaseAll();
    await mf?.dispose();
    mf = undefined;
  });
  afterAll(async () => {
    origin.server.closeAllConnections();
    origin.server.close();
  });

  async function startEdge(bindings: Record<string, string> = {}): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
    mf = new Miniflare(
      convertV4MiniflareOptions({
        script,
        modules: true,
        compatibilityDate: date,
        bindings: { ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: '5000', ...bindings },
        cf: false,
        host: '127.0.0.1',
        port: 0,
        // The Worker's lines (and workerd's warnings) are kept for failure messages, not printed.
        handleStructuredLogs: ({ level, message }: { level: string; message: string }) => void logs.push(`${level} ${message}`),
      }),
    );
    const base = await mf.ready;
    return (path, init) => fetch(new URL(path, base), init);
  }

  /** What a client saw: status, the edge's Cache-Status (null: none of the edge's headers). */
  async function seen(response: Promise<Response>): Promise<{ status: number; cacheStatus: string | null }> {
    const answered = await response;
    await answered.arrayBuffer();
    return { status: answered.status, cacheStatus: answered.headers.get('cache-status') };
  }

  /**
   * One fetch held at the origin and `joiners` requests for the same project sent while it is.
   * A probe for another project, sent after them, marks when they have all reached the edge:
   * the origin is released once the probe's own miss arrives there.
   */
  async function collapseRound(edge: (path: string) => Promise<Response>, joiners: number) {
    const path = `/v1/acme/public/projects/${crypto.randomUUID()}`;
    const probe = `/v1/acme/public/projects/${crypto.randomUUID()}`;
    const first = seen(edge(path));
    await origin.reached(path);
    const joined = Array.from({ length: joiners }, () => seen(edge(path)));
    const probed = seen(edge(probe));
    await origin.reached(probe);
    origin.release(path);
    origin.release(probe);
    return { first: await first, joined: await Promise.all(joined), probe: await probed, fetches: origin.arrived.filter((p) => p === path).length };
  }

  it('answers every request that joined a fetch, Upstash unconfigured', async () => {
    const edge = await startEdge();
    const { first, joined, probe, fetches } = await collapseRound(edge, 4);
    expect(first, logs.join('\n')).toEqual({ status: 200, cacheStatus: expect.stringContaining('fwd=miss') });
    expect(probe.status).toBe(200);
    expect(joined, logs.join('\n')).toEqual(Array(4).fill({ status: 200, cacheStatus: expect.stringMatching(/fwd=miss|hit/) }));
    // The round did collapse: fewer origin fetches than requests.
    expect(fetches).toBeLessThan(5);
    expect(joined.some((answer) => answer.cacheStatus?.includes('detail=collapsed'))).toBe(true);
  });

  it('answers every request that joined a fetch while Upstash hangs (rate limits and purge versions failing open)', async () => {
    const upstash = await hungUpstash();
    try {
      const edge = await startEdge({ UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: 'token', RATE_LIMIT_IP_PER_MINUTE: '1000000' });
      const client = { headers: { 'cf-connecting-ip': '192.0.2.7' } };
      const edgeAs = (path: string) => edge(path, client);
      // One request meets the hung endpoint first: its rate-limit check times out and pauses the
      // limiter, its version read gives up: later requests fail open without asking Upstash.
      const opening = `/v1/acme/public/projects/${crypto.randomUUID()}`;
      const opened = seen(edgeAs(opening));
      await origin.reached(opening);
      origin.release(opening);
      expect((await opened).status).toBe(200);

      const { first, joined, fetches } = await collapseRound(edgeAs, 4);
      expect(first, logs.join('\n')).toEqual({ status: 200, cacheStatus: expect.stringContaining('fwd=miss') });
      expect(joined, logs.join('\n')).toEqual(Array(4).fill({ status: 200, cacheStatus: expect.stringMatching(/fwd=miss|hit/) }));
      expect(fetches).toBeLessThan(5);
      expect(joined.some((answer) => answer.cacheStatus?.includes('detail=collapsed'))).toBe(true);
    } finally {
      await upstash.close();
    }
  });
});

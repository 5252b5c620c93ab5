/**
 * The world the adversarial and fuzz suites attack: the e2e stack (the edge Worker in workerd →
 * the origin's Node server → the harness's 6-node Redis cluster → PGlite; purge versions and
 * rate limits in a local Upstash endpoint over a redis-server of the world's own, so no other
 * suite's purge of everything can touch what the attacks store), with a
 * recording proxy between edge and origin so a test can see exactly what reached the origin,
 * two tenants of its own (an admin and a member each, a public and a private project, private
 * app settings) whose private values carry a marker no public answer may ever contain, and a raw
 * HTTP client that sends paths and headers as written (fetch would normalise them first).
 */
import { request as httpRequest, Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { inject, vi } from 'vitest';
import { startUpstashServer } from '../../../local/upstash/server.ts';
import { startRedis } from '../../harness/redis.ts';
import { DEMO_PASSWORD } from '../../../origin/db/seed.ts';
import { log } from '../../../origin/log.ts';
import { hashPassword } from '../../../origin/users/password.ts';
import { startStack, type Stack } from '../stack.ts';

/** One tenant of the world, with everything a test needs to attack it or to be it. */
export interface Tenant {
  readonly id: string;
  readonly adminId: string;
  readonly memberId: string;
  readonly adminEmail: string;
  readonly memberEmail: string;
  readonly publicProjectId: string;
  readonly privateProjectId: string;
  /** Present in this tenant's private project, private settings and user names; never public. */
  readonly secret: string;
  readonly adminToken: string;
  readonly memberToken: string;
}

/** What reached the origin through the recording proxy. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A response read whole. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request: the path goes on the request line exactly as given. */
export interface RawRequest {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the body chunked, without `Content-Length`. */
  chunked?: boolean;
}

export interface World {
  readonly stack: Stack;
  readonly tenants: readonly [Tenant, Tenant];
  /** The purge key the edge and the origin share. */
  readonly purgeSecret: string;
  /** What the edge Worker logged (kept here, not printed). */
  readonly edgeLogs: { level: string; message: string }[];
  /** Requests the origin received since the last `forget()`. */
  readonly received: Recorded[];
  forget(): void;
  /** A request to the edge, path and headers as written. */
  edge(path: string, init?: RawRequest): Promise<RawResponse>;
  /** The same, straight to the origin (no edge). */
  origin(path: string, init?: RawRequest): Promise<RawResponse>;
  /** Keys of the origin's Redis cluster matching a SCAN pattern, over every master. */
  originKeys(pattern: string): Promise<string[]>;
  /** Keys of the edge's Upstash (the world's own Redis) matching a SCAN pattern. */
  upstashKeys(pattern: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Every route the edge caches: the public project routes (honor, as deployed) and, for the
 * rest of the API, the broadest policy an operator could write, an override route that stores
 * for an hour whatever the origin lets it. The attacks must fail even under it.
 */
export const ATTACK_ROUTE_POLICY = JSON.stringify([
  { pattern: '/v1/:tenant/public/projects', mode: 'honor' },
  { pattern: '/v1/:tenant/public/projects/:id', mode: 'honor' },
  { pattern: '/v1/:tenant/*', mode: 'override', ttlSeconds: 3600, staleWhileRevalidateSeconds: 60, staleIfErrorSeconds: 86400, query: ['limit', 'cursor'] },
]);

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function rawClient(base: string, agent: Agent) {
  const { hostname, port } = new URL(base);
  return (path: string, init: RawRequest = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = { ...init.headers };
      if (init.body !== undefined && !init.chunked) headers['content-length'] = String(Buffer.byteLength(init.body));
      // A server may close a connection after refusing a large body unread: such requests get
      // a connection of their own, so no later request lands on a closing one.
      const large = init.body !== undefined && Buffer.byteLength(init.body) > 8192;
      const req = httpRequest({ host: hostname, port: Number(port), method: init.method ?? 'GET', path, headers, agent: large ? false : agent }, (res) => {
        readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') }), reject);
      });
      req.on('error', reject);
      if (init.body !== undefined) {
        if (init.chunked) {
          // Several writes of a body with no declared length: the server must count as it reads.
          const bytes = Buffer.from(init.body);
          for (let at = 0; at < bytes.length; at += 8192) req.write(bytes.subarray(at, at + 8192));
        } else {
          req.write(init.body);
        }
      }
      req.end();
    });
}

/** A proxy in front of `target` that records every request it passes on. */
async function recordingProxy(target: string, received: Recorded[]): Promise<{ url: string; server: Server }> {
  const { hostname, port } = new URL(target);
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    // One connection per request (agent: false): the proxy must not add failures of its own,
    // such as reusing a connection the origin is closing after refusing a body.
    let answered = false;
    const upstream = httpRequest({ host: hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      answered = true;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // The origin dropped the connection before answering: so does the proxy, as the origin
    // itself would have. After an answer (a 413 while the body was still arriving), the answer
    // is passed on whole and the rest of the body dropped.
    upstream.on('error', () => {
      if (!answered) res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function scanAll(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function addTenant(stack: Stack, id: string): Promise<Omit<Tenant, 'adminToken' | 'memberToken'>> {
  const secret = `SECRET-${id}`;
  const t = {
    id,
    adminId: crypto.randomUUID(),
    memberId: crypto.randomUUID(),
    adminEmail: `admin@${id}.test`,
    memberEmail: `member@${id}.test`,
    publicProjectId: crypto.randomUUID(),
    privateProjectId: crypto.randomUUID(),
    secret,
  };
  const db = stack.services.db;
  const hash = await hashPassword(DEMO_PASSWORD);
  await db.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
  await db.query('INSERT INTO users (id, tenant_id, email, name, roles, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
    t.adminId,
    id,
    t.adminEmail,
    `Admin ${secret}`,
    ['admin'],
    hash,
  ]);
  await db.query('INSERT INTO users (id, tenant_id, email, name, roles, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
    t.memberId,
    id,
    t.memberEmail,
    `Member ${secret}`,
    [],
    hash,
  ]);
  const project = 'INSERT INTO projects (id, tenant_id, owner_id, name, description, visibility) VALUES ($1, $2, $3, $4, $5, $6)';
  await db.query(project, [t.publicProjectId, id, t.adminId, `Open ${id}`, 'everyone may read this', 'public']);
  await db.query(project, [t.privateProjectId, id, t.adminId, `Plans ${secret}`, `internal ${secret}`, 'private']);
  return t;
}

/** Starts the world; `label` names its tenants (`<label>-a-<random>`, `<label>-b-<random>`). */
export async function startWorld(label: string): Promise<World> {
  // The stack warns that it has no cache-encryption keys, and the attacks below make the edge
  // and the origin log what they refused; neither is output of a passing test.
  vi.spyOn(log, 'warn').mockImplementation(() => {});
  vi.spyOn(log, 'info').mockImplementation(() => {});
  const received: Recorded[] = [];
  const edgeLogs: { level: string; message: string }[] = [];
  const purgeSecret = `purge-${crypto.randomUUID()}`;
  const nodes = inject('redisClusterNodes')
    .split(',')
    .map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port) };
    });
  const upstashRedis = await startRedis();
  const upstashServer = await startUpstashServer({ redisUrl: upstashRedis.url, token: randomBytes(24).toString('base64url') });
  // The origin first (behind the proxy), then the edge pointed at the proxy.
  let proxy: { url: string; server: Server } | undefined;
  const stack = await startStack(
    { kind: 'redis-cluster', nodes, commandTimeoutMs: 2000, connectTimeoutMs: 3000 },
    {
      purgeSecret,
      edgeBindings: {
        UPSTASH_REDIS_REST_URL: upstashServer.url,
        UPSTASH_REDIS_REST_TOKEN: upstashServer.token,
        // Every request here comes from 127.0.0.1; the per-address limit has suites of its own.
        RATE_LIMIT_IP_PER_MINUTE: '0',
        ROUTE_POLICY: ATTACK_ROUTE_POLICY,
      },
      edgeLogs: (line) => void edgeLogs.push(line),
      originUrlFor: async (originUrl) => {
        proxy = await recordingProxy(originUrl, received);
        return proxy.url;
      },
    },
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const edge = rawClient(stack.edgeUrl, agent);
  const origin = rawClient(stack.origin.url, agent);
  const suffix = crypto.randomUUID().slice(0, 8);
  const plain = await Promise.all([addTenant(stack, `${label}-a-${suffix}`), addTenant(stack, `${label}-b-${suffix}`)]);
  const signIn = async (tenant: string, email: string) => {
    const answer = await origin(`/v1/${tenant}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    if (answer.status !== 201) throw new Error(`sign-in of ${email}: ${answer.status} ${answer.body}`);
    return (JSON.parse(answer.body) as { token: string }).token;
  };
  const tenants = (await Promise.all(
    plain.map(async (t) => ({ ...t, adminToken: await signIn(t.id, t.adminEmail), memberToken: await signIn(t.id, t.memberEmail) })),
  )) as unknown as readonly [Tenant, Tenant];
  for (const t of tenants) {
    const put = await origin(`/v1/${t.id}/config/app_settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ banner: `settings ${t.secret}` }),
    });
    if (put.status !== 200) throw new Error(`settings of ${t.id}: ${put.status} ${put.body}`);
  }
  const cluster = new Cluster(nodes, { redisOptions: { protocol: 2 } });
  const upstash = new Redis(upstashRedis.url, { protocol: 2 });
  return {
    stack,
    tenants,
    purgeSecret,
    edgeLogs,
    received,
    forget: () => void received.splice(0),
    edge,
    origin,
    async originKeys(pattern) {
      const keys = await Promise.all(cluster.nodes('master').map((node) => scanAll(node, pattern)));
      return keys.flat();
    },
    upstashKeys: (pattern) => scanAll(upstash, pattern),
    async close() {
      cluster.disconnect();
      upstash.disconnect();
      agent.destroy();
      await stack.close();
      if (proxy) {
        const { server } = proxy;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await upstashServer.stop();
      await upstashRedis.stop();
      vi.restoreAllMocks();
    },
  };
}

/**
 * `npm run dev` as a user meets it: the stack `local/dev.ts` starts (wrangler dev, the origin's
 * Node server, a redis-server and the local Upstash endpoint of its own, PGlite in memory), with
 * the purge loop closed. The outbox's schedule is off here, so each purge seen at the edge came
 * from the delivery right after the commit, or from the redelivery when the edge came back.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedPurgeHeaders } from '../../common/purge.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { logger } from '../../origin/log.ts';
import { countPending } from '../../origin/outbox/index.ts';
import { freePort } from '../../local/ports.ts';
import { startLocalStack, STACK_FILE, type LocalStack } from '../../local/stack.ts';
import { KEYRING_FILE } from '../../local/secrets.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedisCluster, type RedisCluster } from '../harness/redis.ts';

const PROJECT = '1a000000-0000-4000-8000-000000000001';
const item = `/v1/acme/public/projects/${PROJECT}`;
const list = '/v1/acme/public/projects';
const otherTenant = '/v1/globex/public/projects';

describe('npm run dev: the stack as one system', () => {
  let stack: LocalStack;
  let dataDir: string;
  let token: string;

  const edge = async (path: string, init?: RequestInit) => fetch(`${stack.edgeUrl}${path}`, init);
  const read = async (path: string) => {
    const response = await edge(path);
    return { cacheStatus: response.headers.get('cache-status') ?? '', body: await response.text() };
  };
  /** Reads `path` until the edge holds it, so the next read would be a hit. */
  const stored = async (path: string) => {
    await read(path);
    expect((await read(path)).cacheStatus).toMatch(/strata-edge; hit/);
  };
  const rename = (name: string, base: string) =>
    fetch(`${base}/v1/acme/projects/${PROJECT}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  const drained = () =>
    eventually(
      'the outbox to drain',
      () => countPending(stack.services.db),
      (n) => n === 0,
    );

  beforeAll(async () => {
    // The failed deliveries below are expected: their warnings are not output; errors still are.
    logger.setLogLevel('ERROR');
    dataDir = await mkdtemp(join(tmpdir(), 'strata-dev-'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EDGE_PORT: String(await freePort()),
      ORIGIN_PORT: '0',
      PGLITE_DIR: 'memory://',
      OUTBOX_INTERVAL_MS: '0',
    };
    stack = await startLocalStack({ env, dataDir, output: 'ignore', edgePersistTo: join(dataDir, 'edge') });
    const signIn = await fetch(`${stack.originUrl}/v1/acme/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@acme.test', password: DEMO_PASSWORD }),
    });
    token = ((await signIn.json()) as { token: string }).token;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
    logger.setLogLevel('INFO');
  });

  it('runs the edge with purge versions in a local Upstash and a key made for this run', async () => {
    expect(stack.upstash).toBeDefined();
    const file = JSON.parse(await readFile(join(dataDir, 'dev', STACK_FILE), 'utf8')) as Record<string, string>;
    expect(file).toMatchObject({ edgeUrl: stack.edgeUrl, originUrl: stack.originUrl, purgeSecret: stack.secrets.purgeSecret });
    expect((await stat(join(dataDir, 'dev', STACK_FILE))).mode & 0o777).toBe(0o600);
    expect(stack.secrets.purgeSecret.length).toBeGreaterThanOrEqual(43);
  });

  it('refuses a forged purge with 401 and accepts one signed with the run key', async () => {
    const body = JSON.stringify({ id: 'forged-1', everything: true });
    const forged = await edge('/_strata/purge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedPurgeHeaders('not-the-key', 'forged-1', body)) },
      body,
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const realBody = JSON.stringify({ id: 'signed-1', tags: ['nothing-cached-has-this-tag'] });
    const signed = await edge('/_strata/purge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedPurgeHeaders(stack.secrets.purgeSecret, 'signed-1', realBody)) },
      body: realBody,
    });
    expect(signed.status).toBe(200);
  });

  for (const via of ['origin', 'edge'] as const) {
    it(`a write made on the ${via} purges the item and the tenant's list at the edge, not other tenants`, async () => {
      for (const path of [item, list, otherTenant]) await stored(path);
      const name = `Renamed via the ${via} ${crypto.randomUUID().slice(0, 8)}`;
      const written = await rename(name, via === 'origin' ? stack.originUrl : stack.edgeUrl);
      expect(written.status).toBe(200);
      await drained();

      for (const path of [item, list]) {
        const after = await read(path);
        expect(after.cacheStatus).toMatch(/strata-edge; fwd=miss; stored/);
        expect(after.body).toContain(name);
      }
      expect((await read(otherTenant)).cacheStatus).toMatch(/strata-edge; hit/);
    });
  }

  it('keeps the purges while the edge is down and delivers them when it is back', async () => {
    await stored(item);
    await stack.stopEdge();
    const name = `Written while the edge was down ${crypto.randomUUID().slice(0, 8)}`;
    expect((await rename(name, stack.originUrl)).status).toBe(200);
    // The delivery right after the commit found no edge: the purge waits.
    await eventually(
      'the failed first attempt',
      async () =>
        (await stack.services.db.query<{ attempts: number }>('SELECT max(attempts) AS attempts FROM purge_outbox WHERE delivered_at IS NULL'))[0]?.attempts ??
        0,
      (attempts) => attempts >= 1,
    );
    expect(await countPending(stack.services.db)).toBe(1);

    await stack.startEdge();
    await drained();
    const after = await read(item);
    expect(after.cacheStatus).toMatch(/strata-edge; fwd=miss; stored/);
    expect(after.body).toContain(name);
  }, 90_000);

  it('keeps the generated encryption key in the data folder for the next start', async () => {
    const kept = (await readFile(join(dataDir, 'dev', KEYRING_FILE), 'utf8')).trim();
    expect(kept).toBe(stack.secrets.encryptionKeys);
    expect((await stat(join(dataDir, 'dev', KEYRING_FILE))).mode & 0o777).toBe(0o600);
  });
});

describe('npm run dev with REDIS_CLUSTER_NODES', () => {
  let cluster: RedisCluster;
  let stack: LocalStack;
  let dataDir: string;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    cluster = await startRedisCluster();
    dataDir = await mkdtemp(join(tmpdir(), 'strata-dev-cluster-'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EDGE_PORT: String(await freePort()),
      ORIGIN_PORT: '0',
      PGLITE_DIR: 'memory://',
      OUTBOX_INTERVAL_MS: '0',
      REDIS_CLUSTER_NODES: cluster.seeds,
    };
    stack = await startLocalStack({ env, dataDir, output: 'ignore', edgePersistTo: join(dataDir, 'edge') });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
    logger.setLogLevel('INFO');
  });

  it('still gives the edge purge versions, over a redis-server of its own', async () => {
    expect(stack.cache).toBe('REDIS_CLUSTER_NODES');
    expect(stack.upstash).toBeDefined();
    const read = async () => (await fetch(`${stack.edgeUrl}${item}`)).headers.get('cache-status') ?? '';
    await read();
    expect(await read()).toMatch(/strata-edge; hit/);
    const body = JSON.stringify({ id: 'cluster-purge-1', prefixes: [list] });
    const purged = await fetch(`${stack.edgeUrl}/_strata/purge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedPurgeHeaders(stack.secrets.purgeSecret, 'cluster-purge-1', body)) },
      body,
    });
    expect(((await purged.json()) as { versionsBumped: number }).versionsBumped).toBe(1);
    expect(await read()).toMatch(/strata-edge; fwd=miss; stored/);
  });
});

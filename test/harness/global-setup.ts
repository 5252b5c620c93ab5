/**
 * Runs once per `vitest run`, before every project: starts the harness's own Redis servers
 * (standalone and a 6-node cluster), a local Upstash REST endpoint over the standalone one (with
 * a namespace per edge test file, `upstash-namespaces.ts`) and the edge tests' fake origin, provides their addresses to the tests through `inject()`, and
 * stops them all afterwards, pass or fail.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startFakeOrigin } from './fake-origin.ts';
import { startRedis, startRedisCluster } from './redis.ts';
import { NAMESPACE_DATABASES, upstashNamespaces } from './upstash-namespaces.ts';
import { startUpstashServer } from '../../local/upstash/server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
  try {
    // Only the edge's Upstash endpoints use it: Node test files have servers of their own (file-redis.ts).
    const standalone = await startRedis(['--databases', String(NAMESPACE_DATABASES)]);
    stops.push(standalone.stop);
    const upstash = await startUpstashServer({ redisUrl: standalone.url, token: randomBytes(24).toString('base64url') });
    stops.push(upstash.stop);
    const namespaces = upstashNamespaces(standalone.url, upstash.token, upstash);
    stops.push(namespaces.stop);
    const edgeToken = randomBytes(24).toString('base64url');
    const origin = await startFakeOrigin({ edgeToken, upstashFor: namespaces.upstashFor });
    stops.push(origin.stop);
    const cluster = await startRedisCluster();
    stops.push(cluster.stop);
    project.provide('redisClusterNodes', cluster.seeds);
    project.provide('fakeOriginUrl', origin.url);
    project.provide('fakeEdgeToken', edgeToken);
    project.provide('upstashUrl', upstash.url);
    project.provide('upstashToken', upstash.token);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

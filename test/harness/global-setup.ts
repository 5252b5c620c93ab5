/**
 * Runs once per `vitest run`, before every project: starts the harness's own Redis servers
 * (standalone and a 6-node cluster), a local Upstash REST endpoint over the standalone one and
 * the edge tests' fake origin, provides their addresses to the tests through `inject()`, and
 * stops them all afterwards, pass or fail.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startFakeOrigin } from './fake-origin.ts';
import { startRedis, startRedisCluster } from './redis.ts';
import { startUpstashServer } from '../../local/upstash/server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
  try {
    const standalone = await startRedis();
    stops.push(standalone.stop);
    const upstash = await startUpstashServer({ redisUrl: standalone.url, token: randomBytes(24).toString('base64url') });
    stops.push(upstash.stop);
    const edgeToken = randomBytes(24).toString('base64url');
    const origin = await startFakeOrigin({ edgeToken, upstashUrl: upstash.url });
    stops.push(origin.stop);
    const cluster = await startRedisCluster();
    stops.push(cluster.stop);
    project.provide('redisUrl', standalone.url);
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

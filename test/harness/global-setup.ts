/**
 * Runs once per `vitest run`, before every project: starts the harness's own Redis servers
 * (standalone and a 6-node cluster) and the edge tests' fake origin, provides their addresses
 * to the tests through `inject()`, and stops them all afterwards, pass or fail.
 */
import type { TestProject } from 'vitest/node';
import { startFakeOrigin } from './fake-origin.ts';
import { startRedis, startRedisCluster } from './redis.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
  try {
    const standalone = await startRedis();
    stops.push(standalone.stop);
    const origin = await startFakeOrigin();
    stops.push(origin.stop);
    const cluster = await startRedisCluster();
    stops.push(cluster.stop);
    project.provide('redisUrl', standalone.url);
    project.provide('redisClusterNodes', cluster.seeds);
    project.provide('fakeOriginUrl', origin.url);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

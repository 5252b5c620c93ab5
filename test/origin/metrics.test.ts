/**
 * The cache metrics sinks (Prometheus text, CloudWatch EMF on stdout, none) and the Redis health
 * probe: parsers on fixed replies with failed nodes, the probe against the harness's real servers.
 */
import { Cluster, Redis } from 'ioredis';
import { register as globalRegistry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { DataType } from '../../common/keys.ts';
import {
  clusterHealth,
  clusterHealthFrom,
  emfMetrics,
  noMetrics,
  parseClusterNodes,
  prometheusMetrics,
  standaloneHealthFrom,
  type CacheOperation,
  type ReadOutcome,
} from '../../origin/metrics/index.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Every sample line of a Prometheus text exposition. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match?.[1] || !match[3]) throw new Error(`unparsable sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with exactly these labels, or undefined. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

describe('prometheusMetrics', () => {
  it('counts reads and loads per type on its own registry, not the global one', async () => {
    const metrics = prometheusMetrics();
    metrics.read('session', 'hit');
    metrics.read('session', 'hit');
    metrics.read('user', 'miss');
    metrics.load('user', true, 12);
    metrics.load('user', false, 40);
    const text = await metrics.text();
    expect(valueOf(text, 'strata_cache_reads_total', { type: 'session', outcome: 'hit' })).toBe(2);
    expect(valueOf(text, 'strata_cache_reads_total', { type: 'user', outcome: 'miss' })).toBe(1);
    expect(valueOf(text, 'strata_cache_loads_total', { type: 'user', result: 'ok' })).toBe(1);
    expect(valueOf(text, 'strata_cache_loads_total', { type: 'user', result: 'error' })).toBe(1);
    expect(valueOf(text, 'strata_cache_load_duration_seconds_sum', { type: 'user' })).toBeCloseTo(0.052);
    expect(valueOf(text, 'strata_cache_load_duration_seconds_bucket', { le: '0.025', type: 'user' })).toBe(1);
    expect(await globalRegistry.metrics()).not.toContain('strata_cache');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // A second sink has its own registry, so building one twice does not throw on duplicate names.
    expect(valueOf(await prometheusMetrics().text(), 'strata_cache_reads_total', { type: 'session', outcome: 'hit' })).toBeUndefined();
  });

  it('computes the hit ratio on scrape, counting stale serves as served from cache', async () => {
    const metrics = prometheusMetrics();
    const outcomes: ReadOutcome[] = ['hit', 'hit', 'stale', 'stale_error', 'miss', 'bypass'];
    for (const outcome of outcomes) metrics.read('api', outcome);
    expect(valueOf(await metrics.text(), 'strata_cache_hit_ratio', { type: 'api' })).toBeCloseTo(4 / 6);
    metrics.read('api', 'miss');
    metrics.read('api', 'miss');
    const text = await metrics.text();
    expect(valueOf(text, 'strata_cache_hit_ratio', { type: 'api' })).toBeCloseTo(4 / 8);
    // A type never read has no ratio rather than a made-up 0 or NaN.
    expect(valueOf(text, 'strata_cache_hit_ratio', { type: 'session' })).toBeUndefined();
  });

  it('publishes the design’s hit-ratio targets', async () => {
    const text = await prometheusMetrics().text();
    expect(valueOf(text, 'strata_cache_hit_ratio_target', { type: 'session' })).toBe(0.95);
    expect(valueOf(text, 'strata_cache_hit_ratio_target', { type: 'config' })).toBe(0.9);
    expect(valueOf(text, 'strata_cache_hit_ratio_target', { type: 'user' })).toBe(0.85);
    expect(valueOf(text, 'strata_cache_hit_ratio_target', { type: 'api' })).toBe(0.7);
    expect(valueOf(text, 'strata_cache_hit_ratio_target', { type: 'resource' })).toBeUndefined();
  });

  it('times store operations in sub-millisecond buckets, by result', async () => {
    const metrics = prometheusMetrics();
    metrics.operation('session', 'get', true, 0.3);
    metrics.operation('session', 'get', false, 1000);
    const text = await metrics.text();
    const ok = { type: 'session', operation: 'get', result: 'ok' };
    expect(valueOf(text, 'strata_cache_operation_duration_seconds_bucket', { le: '0.00025', ...ok })).toBe(0);
    expect(valueOf(text, 'strata_cache_operation_duration_seconds_bucket', { le: '0.0005', ...ok })).toBe(1);
    const failed = { type: 'session', operation: 'get', result: 'error' };
    expect(valueOf(text, 'strata_cache_operation_duration_seconds_bucket', { le: '0.5', ...failed })).toBe(0);
    expect(valueOf(text, 'strata_cache_operation_duration_seconds_bucket', { le: '1', ...failed })).toBe(1);
  });

  it('drops values outside the closed label sets instead of creating series', async () => {
    const metrics = prometheusMetrics();
    const before = samples(await metrics.text()).length;
    metrics.read('acme' as DataType, 'hit');
    metrics.read('session', 'evicted' as ReadOutcome);
    metrics.read('__proto__' as DataType, 'hit');
    metrics.load('tenant:acme' as DataType, true, 5);
    metrics.operation('session', 'scan' as CacheOperation, true, 1);
    metrics.operation('session', 'get', true, Number.NaN);
    metrics.load('user', true, -1);
    const text = await metrics.text();
    expect(text).not.toMatch(/acme|evicted|scan|__proto__/);
    expect(valueOf(text, 'strata_cache_metrics_rejected_total')).toBe(7);
    expect(samples(text).length).toBe(before);
  });
});

describe('emfMetrics', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  type Emf = Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  };
  const documents = (): Emf[] =>
    written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Emf);
  const find = (docs: Emf[], dims: Record<string, string>) =>
    docs.filter((doc) => Object.entries(dims).every(([k, v]) => doc[k] === v) && (dims.Operation ? true : !('Operation' in doc)));
  const units = (doc: Emf) => Object.fromEntries(doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit]));

  it('writes one EMF document per dimension set, in namespace Strata', () => {
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error: (...a: unknown[]) => warnings.push(a), warn: (...a: unknown[]) => warnings.push(a) };
    const metrics = emfMetrics({ serviceName: 'origin-test', logger });
    for (const outcome of ['hit', 'hit', 'hit', 'miss'] as const) metrics.read('session', outcome);
    metrics.load('user', true, 12);
    metrics.load('user', false, 30);
    metrics.operation('session', 'get', true, 0.4);
    metrics.operation('session', 'get', false, 1000);
    metrics.operation('session', 'set', true, 1);
    expect(documents()).toEqual([]);
    metrics.flush();
    const docs = documents();
    expect(docs).toHaveLength(4);
    for (const doc of docs) expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('Strata');

    const [session] = find(docs, { DataType: 'session' });
    expect(session?._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'DataType']]);
    expect(session).toMatchObject({ service: 'origin-test', CacheHit: 3, CacheMiss: 1, CacheStale: 0, CacheStaleError: 0, CacheBypass: 0 });
    expect(units(session!)).toEqual({ CacheHit: 'Count', CacheMiss: 'Count', CacheStale: 'Count', CacheStaleError: 'Count', CacheBypass: 'Count' });

    const [user] = find(docs, { DataType: 'user' });
    expect(user).toMatchObject({ LoadLatency: [12, 30], LoadError: 1 });
    expect(units(user!)).toEqual({ LoadLatency: 'Milliseconds', LoadError: 'Count' });

    const [get] = find(docs, { DataType: 'session', Operation: 'get' });
    expect(get?._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'DataType', 'Operation']]);
    expect(get).toMatchObject({ OperationLatency: [0.4, 1000], OperationError: 1 });
    expect(units(get!)).toEqual({ OperationLatency: 'Milliseconds', OperationError: 'Count' });
    expect(find(docs, { DataType: 'session', Operation: 'set' })[0]).toMatchObject({ OperationLatency: 1, OperationError: 0 });
    expect(warnings).toEqual([]);
  });

  it('starts from zero after a flush and writes nothing when nothing happened', () => {
    const metrics = emfMetrics({ serviceName: 'origin-test' });
    metrics.read('config', 'stale');
    metrics.flush();
    metrics.flush();
    metrics.read('config', 'bypass');
    metrics.flush();
    const docs = documents();
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ DataType: 'config', CacheStale: 1, CacheBypass: 0 });
    expect(docs[1]).toMatchObject({ DataType: 'config', CacheStale: 0, CacheBypass: 1 });
  });

  it('drops values outside the closed label sets', () => {
    const metrics = emfMetrics({ serviceName: 'origin-test' });
    metrics.read('acme' as DataType, 'hit');
    metrics.read('user', 'evicted' as ReadOutcome);
    metrics.operation('user', 'scan' as CacheOperation, true, 1);
    metrics.load('user', true, Number.POSITIVE_INFINITY);
    metrics.flush();
    expect(documents()).toEqual([]);
  });

  it('requires a service name', () => {
    expect(() => emfMetrics({ serviceName: '' })).toThrow(/serviceName/);
  });
});

describe('noMetrics', () => {
  it('accepts every call and cannot be altered', () => {
    expect(() => {
      noMetrics.read('session', 'hit');
      noMetrics.load('user', false, 3);
      noMetrics.operation('api', 'lock', true, 0.2);
    }).not.toThrow();
    expect(Object.isFrozen(noMetrics)).toBe(true);
  });
});

// A 7-node view in Redis 7 format: 30003 (a master) has failed, 30006 (a replica) is suspected,
// and one forgotten node has no address left.
const NODES = [
  '07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected',
  '67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002,host2 master - 0 1426238316232 2 connected 5461-10922',
  '292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003,host3 master,fail - 1426238316000 1426238315000 3 disconnected 10923-16383',
  '6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005,host5 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected',
  '824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006,host6 slave,fail? 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 1426238317000 1426238317741 6 connected',
  'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001,host1 myself,master - 0 0 1 connected 0-5460',
  'a1b2c3d4e5f60718293a4b5c6d7e8f9001122334 :0@0 master,fail,noaddr - 1426238310000 1426238310000 0 disconnected',
  '',
].join('\n');
const INFO = ['cluster_state:fail', 'cluster_slots_assigned:16384', 'cluster_slots_ok:10923', 'cluster_slots_fail:5461', 'cluster_known_nodes:7', ''].join(
  '\r\n',
);

describe('cluster health parsers', () => {
  it('reads ids, addresses, flags and masters from CLUSTER NODES', () => {
    const nodes = parseClusterNodes(NODES);
    expect(nodes).toHaveLength(7);
    const myself = { id: 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca', address: '127.0.0.1:30001', flags: ['myself', 'master'] };
    expect(nodes[5]).toEqual({ ...myself, masterId: undefined, linkState: 'connected' });
    expect(nodes[0]).toMatchObject({ address: '127.0.0.1:30004', flags: ['slave'], masterId: 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca' });
    expect(nodes[4]?.flags).toEqual(['slave', 'fail?']);
    expect(nodes[6]).toMatchObject({ address: '', flags: ['master', 'fail', 'noaddr'] });
  });

  it('reports failing nodes and counts only healthy masters and replicas', () => {
    const counts = { mode: 'cluster', state: 'fail', slotsAssigned: 16384, slotsOk: 10923, knownNodes: 7, masters: 2, replicas: 2 };
    const failingNodes = ['127.0.0.1:30003', '127.0.0.1:30006', 'a1b2c3d4e5f60718293a4b5c6d7e8f9001122334'];
    expect(clusterHealthFrom(INFO, NODES)).toEqual({ ...counts, failingNodes });
  });

  it('reads role and replicas from INFO replication', () => {
    const info = '# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=10.0.0.2,port=6379,state=online,offset=1,lag=0\r\n';
    expect(standaloneHealthFrom(info)).toEqual({ mode: 'standalone', state: 'ok', role: 'master', connectedReplicas: 2 });
  });
});

describe('clusterHealth against the harness’s servers', () => {
  let cluster: Cluster;
  let standalone: Redis;
  beforeAll(async () => {
    const nodes = inject('redisClusterNodes')
      .split(',')
      .map((seed) => ({ host: seed.slice(0, seed.lastIndexOf(':')), port: Number(seed.slice(seed.lastIndexOf(':') + 1)) }));
    cluster = new Cluster(nodes, { lazyConnect: true, redisOptions: { protocol: 2 } });
    standalone = new Redis(fileRedisUrl(), { protocol: 2, lazyConnect: true });
    await Promise.all([cluster.connect(), standalone.connect()]);
  });
  afterAll(async () => {
    await Promise.allSettled([cluster?.quit(), standalone?.quit()]);
  });

  it('sees a healthy 3-master, 3-replica cluster', async () => {
    const healthy = { mode: 'cluster', state: 'ok', slotsAssigned: 16384, slotsOk: 16384, knownNodes: 6, masters: 3, replicas: 3 };
    expect(await clusterHealth(cluster)).toEqual({ ...healthy, failingNodes: [] });
  });

  it('sees a standalone master', async () => {
    expect(await clusterHealth(standalone)).toEqual({ mode: 'standalone', state: 'ok', role: 'master', connectedReplicas: 0 });
  });

  it('fails, rather than reporting health, when the cluster client reaches no node', async () => {
    const unconnected = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    await expect(clusterHealth(unconnected)).rejects.toThrow(/no nodes/);
    unconnected.disconnect();
  });
});

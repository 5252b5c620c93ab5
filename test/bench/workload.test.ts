/**
 * The workload's pieces that need no stack (`bench/workload/`): Zipf draws and the plan are
 * reproducible by seed and follow their law; the freshness checker tells fresh, stale within
 * the bound and violations apart, for data and for ended sessions; the origin's counters,
 * the edge's Cache-Status and the command line are read as they should be; Redis memory is
 * measured on redis-servers of the test's own. No clock is real.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { edgeOutcome, quantile } from '../../bench/workload/collector.ts';
import { FreshnessChecker } from '../../bench/workload/freshness.ts';
import { parseWorkloadArgs } from '../../bench/workload/index.ts';
import { KINDS, planRequests } from '../../bench/workload/mix.ts';
import { difference, hitRatio, parseOriginCounts } from '../../bench/workload/origin-metrics.ts';
import { progress } from '../../bench/workload/progress.ts';
import { seededRandom, Zipf } from '../../bench/workload/random.ts';
import { keyGroup, measureRedisMemory } from '../../bench/workload/redis-memory.ts';
import { buildWorld } from '../../bench/workload/world.ts';
import { readPurgeDeliveries } from '../../bench/workload/purges.ts';
import { openTestDatabase } from '../origin/databases.ts';
import { startRedis } from '../harness/redis.ts';

describe('Zipf', () => {
  it('draws each rank about as often as its probability, rank 1 the most', () => {
    const zipf = new Zipf(50, 1.1);
    const random = seededRandom(7);
    const draws = 200_000;
    const counts = new Array<number>(50).fill(0);
    for (let i = 0; i < draws; i++) counts[zipf.sample(random)]!++;
    for (const rank of [0, 1, 4, 9, 49]) {
      const expected = zipf.probability(rank) * draws;
      // Five standard deviations of a binomial count: fails only when the law is wrong.
      expect(Math.abs(counts[rank]! - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
    expect(zipf.probability(0) / zipf.probability(1)).toBeCloseTo(2 ** 1.1, 6);
    expect(counts[0]).toBeGreaterThan(counts[1]!);
  });

  it('is uniform with exponent 0 and refuses a count or exponent that means nothing', () => {
    const zipf = new Zipf(4, 0);
    for (let k = 0; k < 4; k++) expect(zipf.probability(k)).toBeCloseTo(0.25, 12);
    expect(() => new Zipf(0, 1)).toThrow(RangeError);
    expect(() => new Zipf(3, Number.NaN)).toThrow(RangeError);
  });

  it('gives the same draws for the same seed and other draws for another', () => {
    const zipf = new Zipf(100, 1);
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, () => zipf.sample(random));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });
});

describe('planRequests', () => {
  const world = buildWorld({ tenants: 10, usersPerTenant: 8, projectsPerTenant: 8 });

  it('is the same plan for the same seed, another for another seed', () => {
    expect(planRequests(3, 500, world)).toEqual(planRequests(3, 500, world));
    expect(planRequests(3, 500, world)).not.toEqual(planRequests(4, 500, world));
  });

  it('follows the weights of the mix and keeps every index inside the world', () => {
    const plan = planRequests(1, 40_000, world);
    const share = (kind: string) => plan.filter((p) => p.kind === kind).length / plan.length;
    const total = Object.values(KINDS).reduce((sum, kind) => sum + kind.weight, 0);
    for (const kind of ['public-project', 'profile-me', 'logout'] as const) {
      const p = KINDS[kind].weight / total;
      expect(Math.abs(share(kind) - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / plan.length));
    }
    for (const p of plan) {
      expect(p.tenant).toBeLessThan(10);
      if (p.kind === 'public-project') expect(p.project).toBeLessThan(world[p.tenant]!.publicProjects.length);
      if (p.kind === 'config-edit') expect(p.user).toBe(0);
    }
    // Skewed: the first tenant is drawn more than the last.
    expect(plan.filter((p) => p.tenant === 0).length).toBeGreaterThan(3 * plan.filter((p) => p.tenant === 9).length);
  });
});

describe('FreshnessChecker', () => {
  const bounds = { edge: 100, origin: 0, config: 50, session: 0 };

  it('takes the value being written, the acknowledged one, and the old one before the acknowledgement', () => {
    const checker = new FreshnessChecker(bounds);
    checker.seed('p', 'v0');
    checker.begin('p', 'v1');
    expect(checker.read('origin', 'p', 'v1', 10)).toBe('fresh');
    expect(checker.read('origin', 'p', 'v0', 10)).toBe('fresh');
    checker.acknowledge('p', 'v1', 20);
    expect(checker.read('origin', 'p', 'v0', 20)).toBe('fresh');
    expect(checker.read('origin', 'p', 'v1', 30)).toBe('fresh');
    expect(checker.violationCount).toBe(0);
  });

  it('counts a read of replaced data that started after the acknowledgement as a violation beyond the bound', () => {
    const checker = new FreshnessChecker(bounds);
    checker.seed('p', 'v0');
    checker.begin('p', 'v1');
    checker.acknowledge('p', 'v1', 1000);
    expect(checker.read('origin', 'p', 'v0', 1001)).toBe('violation');
    expect(checker.read('edge', 'p', 'v0', 1080)).toBe('stale-within-bound');
    expect(checker.read('edge', 'p', 'v0', 1150)).toBe('violation');
    expect(checker.violationCount).toBe(2);
    expect(checker.tallies.get('edge')).toEqual({ checked: 2, staleWithinBound: 1, violations: 1, maxStalenessMs: 150 });
    expect(checker.violations[0]).toMatchObject({ layer: 'origin', object: 'p', lateByMs: 1 });
    expect(checker.violations[0]!.what).toContain('"v1" was acknowledged');
  });

  it('judges against the next acknowledged value, skipping a failed write, and flags data nobody wrote', () => {
    const checker = new FreshnessChecker(bounds);
    checker.seed('p', 'v0');
    checker.begin('p', 'v1');
    checker.abandon('p', 'v1');
    checker.begin('p', 'v2');
    checker.acknowledge('p', 'v2', 500);
    expect(checker.read('origin', 'p', 'v1', 400)).toBe('fresh');
    expect(checker.read('origin', 'p', 'v1', 600)).toBe('violation');
    expect(checker.read('origin', 'p', 'made up', 1)).toBe('violation');
    expect(checker.violations[1]!.what).toContain('no one wrote');
    expect(() => checker.begin('p', 'v2')).toThrow(/already written/);
    expect(() => checker.begin('unknown', 'x')).toThrow(/no seeded value/);
  });

  it('counts an ended session that is still served after its logout was acknowledged', () => {
    const checker = new FreshnessChecker(bounds);
    expect(checker.session('t1', 5, true)).toBe('fresh');
    checker.revoke('t1', 10);
    expect(checker.session('t1', 9, true)).toBe('fresh');
    expect(checker.session('t1', 11, false)).toBe('fresh');
    expect(checker.session('t1', 11, true)).toBe('violation');
    expect(checker.tallies.get('session')?.violations).toBe(1);
  });
});

describe('the origin counters', () => {
  const exposition = (hits: number, misses: number) => `# HELP strata_cache_reads_total Cache reads
# TYPE strata_cache_reads_total counter
strata_cache_reads_total{type="user",outcome="hit"} ${hits}
strata_cache_reads_total{type="user",outcome="miss"} ${misses}
strata_cache_reads_total{type="user",outcome="stale"} 1
strata_cache_loads_total{type="user",result="ok"} ${misses}
strata_cache_loads_total{type="user",result="error"} 1
strata_cache_hit_ratio{type="user"} 0.5
`;

  it('are read from the Prometheus text and subtracted snapshot from snapshot', () => {
    const delta = difference(parseOriginCounts(exposition(90, 12)), parseOriginCounts(exposition(10, 2)));
    expect(delta.reads.get('user')).toEqual(
      new Map([
        ['hit', 80],
        ['miss', 10],
        ['stale', 0],
      ]),
    );
    expect(delta.loads.get('user')).toBe(10);
    const once = parseOriginCounts(exposition(8, 1));
    expect(hitRatio(once.reads.get('user'))).toBeCloseTo(9 / 10, 12);
    expect(hitRatio(undefined)).toBeNaN();
  });
});

describe('small readers', () => {
  it('finds the edge member of Cache-Status', () => {
    expect(edgeOutcome('strata-origin; hit, strata-edge; hit; ttl=3590')).toBe('hit');
    expect(edgeOutcome('strata-origin; fwd=miss, strata-edge; fwd=miss; stored')).toBe('miss');
    expect(edgeOutcome('strata-edge; fwd=stale; fwd-status=304; stored')).toBe('miss');
    expect(edgeOutcome('strata-origin; hit')).toBeUndefined();
    expect(edgeOutcome(null)).toBeUndefined();
  });

  it('takes nearest-rank quantiles and groups keys by their first segment', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
    expect(keyGroup('session:{wl-001}:u:abc')).toBe('session');
    expect(keyGroup('plain')).toBe('plain');
  });

  it('reads the command line and refuses a value that is not a count', () => {
    expect(parseWorkloadArgs(['--seed', '9', '--requests', '300'])).toMatchObject({ seed: 9, requests: 300, concurrency: 16 });
    expect(() => parseWorkloadArgs(['--requests', '0'])).toThrow(/--requests must be an integer ≥ 1/);
    expect(() => parseWorkloadArgs(['--concurrency', 'many'])).toThrow(/"many"/);
    expect(() => parseWorkloadArgs(['--bogus', '1'])).toThrow();
  });

  it('prints a plain line every tenth of the run when not on a terminal, with rate and ETA', () => {
    const lines: string[] = [];
    let clock = 0;
    const bar = progress('run', 100, { tty: false, write: (line) => lines.push(line), now: () => clock });
    for (let done = 1; done <= 100; done++) {
      clock += 10;
      bar.tick(done);
    }
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('run: 10/100 (10%), 100 req/s, ETA 1 s');
    expect(lines[9]).toBe('run: 100/100 (100%), 100 req/s, ETA 0 s');
  });
});

describe('measureRedisMemory', () => {
  it('counts every key of a group, measures a sample of each with MEMORY USAGE, and skips replicas', async () => {
    const server = await startRedis();
    const replica = await startRedis();
    const client = new Redis(server.url, { protocol: 2 });
    const replicaClient = new Redis(replica.url, { protocol: 2 });
    try {
      // A replica holds the same keys; counted, it would double every group.
      await replicaClient.replicaof('127.0.0.1', server.port);
      const small = 'x'.repeat(10);
      const large = 'y'.repeat(5000);
      for (let i = 0; i < 30; i++) await client.set(`user:{t}:${i}`, small);
      for (let i = 0; i < 5; i++) await client.set(`api:v1:{t}:${i}`, large);
      await client.set('plain', small);
      // The replica's first sync lands when it lands: wait for every key (the test's timeout bounds it).
      while ((await replicaClient.dbsize()) < 36) await new Promise((resolve) => setTimeout(resolve, 50));
      const memory = await measureRedisMemory([server.url, replica.url], 10);
      expect([...memory.groups.keys()]).toEqual(['api', 'plain', 'user']);
      const user = memory.groups.get('user')!;
      const api = memory.groups.get('api')!;
      expect(user).toMatchObject({ keys: 30, sampled: 10 });
      expect(api).toMatchObject({ keys: 5, sampled: 5 });
      expect(api.bytesPerEntry).toBeGreaterThan(5000);
      expect(user.bytesPerEntry).toBeLessThan(200);
      expect(user.totalBytes).toBe(user.bytesPerEntry * 30);
      expect(memory.usedMemoryBytes).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      replicaClient.disconnect();
      await Promise.all([replica.stop(), server.stop()]);
    }
  });
});

describe('readPurgeDeliveries', () => {
  it('reads the outbox since the run began: delivered, retried, waiting, and commit-to-delivery times', async () => {
    const { db, close } = await openTestDatabase('pglite');
    try {
      const began = new Date(Date.now() - 60_000);
      const row = (id: string, createdAgoS: number, deliveredAgoS: number | null, attempts: number, error: string | null) =>
        db.query(
          `INSERT INTO purge_outbox (id, message, created_at, attempts, delivered_at, last_error)
           VALUES ($1, '{}'::jsonb, now() - $2 * interval '1 second', $3, CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() - $4::float8 * interval '1 second' END, $5)`,
          [id, createdAgoS, attempts, deliveredAgoS, error],
        );
      await row('before-the-run', 120, 119, 1, null);
      await row('fast', 30, 29.9, 1, null);
      await row('retried', 30, 20, 3, null);
      await row('waiting', 10, null, 2, 'edge answered 503');
      const purges = await readPurgeDeliveries(db, began);
      expect(purges).toMatchObject({
        queued: 3,
        delivered: 2,
        pending: 1,
        retried: 2,
        maxAttempts: 3,
        deliveryP50Ms: 100,
        deliveryMaxMs: 10_000,
        errors: ['edge answered 503'],
      });
    } finally {
      await close();
    }
    // PGlite boots and migrates first: seconds on a busy machine.
  }, 60_000);
});

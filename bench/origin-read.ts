/**
 * `npm run bench -- origin-read`: the cost of a public list read at the origin, sequential reads,
 * every subject in the same 15 rounds, taking turns of a few milliseconds until each has read
 * for 150 ms (`takeTurns` in `rounds.ts`); per round, each subject's throughput, CPU per read and
 * median (p50) latency; medians over rounds, ratios to the floor paired per round:
 *   floor       a raw ioredis GET of the cached bytes (no cache layer can beat it)
 *   peer        the design's naive cache wrapper's hit path: GET + JSON.parse, nothing else
 *   strata      CacheEngine.getOrLoad on a hit of an entry that does not change, so the value
 *               decoded at the last read is used again (no JSON.parse): its best case
 *   strata-decode-each-read  the same read decoding every time, as the first read after a rewrite
 *   strata-route  the full route on a hit: `app.request` (a `Request` in, Hono's middleware and
 *               routing, the engine's hit, the stored representation and ETag out) and the body read
 *   hono-get    a bare Hono app (no middleware, no validation) whose handler GETs the body the
 *               peer reads and answers it as it is, with the ETag, read the same way: what any
 *               Hono route answering from Redis costs before a line of Strata's
 *   source      the same read from PostgreSQL (PGlite) with no cache
 * All against one local redis-server started for the run. Writes `bench/results/origin-read.json`.
 *
 * The route takes its turns with the floor, so `read_p50_us_x_floor` (the route's median latency
 * over the floor's, per round) is a pairing of figures measured together. The source runs in
 * turns of its own: PGlite runs PostgreSQL in this process, and its collections would land on
 * whichever subject took the next turn.
 */
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { createApp } from '../origin/app.ts';
import { seedDemoData } from '../origin/db/seed.ts';
import { ProjectRepository } from '../origin/projects/repository.ts';
import { projectListKey } from '../origin/projects/service.ts';
import { buildServices } from '../origin/services.ts';
import { startRedis } from '../local/redis-processes.ts';
import { record, summarise, takeTurns, timed, type Samples } from './rounds.ts';
import { median, writeRows } from './rows.ts';

const ROUNDS = 15;
const SLICE_MS = 150;

export async function originRead(): Promise<void> {
  const redis = await startRedis();
  const services = await buildServices({
    database: { kind: 'pglite', dataDir: 'memory://' },
    cache: { kind: 'redis', url: redis.url, commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
  });
  const raw = new Redis(redis.url, { protocol: 2 });
  try {
    await seedDemoData(services.db);
    const app = createApp(services);
    const path = '/v1/acme/public/projects';
    const warm = await app.request(path);
    if (warm.status !== 200) throw new Error(`warm-up read failed: ${warm.status}`);
    const key = await projectListKey('acme');
    const repository = new ProjectRepository(services.db);
    // The peer reads plain JSON, as the naive wrapper stored it.
    const plainKey = `${key}:plain`;
    await raw.set(plainKey, JSON.stringify(await warm.json()));
    const mustNotLoad = async () => {
      throw new Error('benchmark expected a cache hit');
    };
    const policy = services.policies.api;
    const decodeEach = { ...policy, reuseDecoded: false };
    const route = async () => {
      const response = await app.request(path);
      if (response.headers.get('cache-status') !== 'strata-origin; hit') throw new Error(`benchmark expected a cache hit: ${response.status}`);
      return response.arrayBuffer();
    };
    const sent = { 'content-type': warm.headers.get('content-type')!, etag: warm.headers.get('etag')! };
    const bare = new Hono();
    bare.get('/v1/:tenant/public/projects', async (c) => c.body((await raw.get(plainKey))!, 200, sent));
    const honoGet = async () => (await bare.request(path)).arrayBuffer();
    // Two groups, each taking turns within itself: PostgreSQL (PGlite, in this process) allocates
    // far more per read, and its garbage would be collected during the cached subjects' turns.
    const groups = [
      [
        { name: 'floor', read: () => raw.get(key) },
        { name: 'peer', read: async () => JSON.parse((await raw.get(plainKey))!) },
        { name: 'strata', read: () => services.engine.getOrLoad({ key, tenant: 'acme', policy, tags: ['projects'], load: mustNotLoad }) },
        {
          name: 'strata-decode-each-read',
          read: () => services.engine.getOrLoad({ key, tenant: 'acme', policy: decodeEach, tags: ['projects'], load: mustNotLoad }),
        },
        { name: 'strata-route', read: route },
        { name: 'hono-get', read: honoGet },
      ],
      [{ name: 'source', read: async () => [await repository.tenantExists('acme'), await repository.listPublic('acme')] }],
    ];
    const samples: Samples = new Map();
    // Round -1 warms every subject up and is not recorded.
    for (let round = -1; round < ROUNDS; round++) {
      for (const subjects of groups) {
        const latencies = subjects.map(() => [] as number[]);
        const reads = subjects.map((subject, i) => timed(subject.read, latencies[i]!));
        const figures = await takeTurns(reads, { width: 1, batchesPerTurn: 16, sliceMs: SLICE_MS, seed: round + 2 });
        if (round < 0) continue;
        subjects.forEach((subject, i) => {
          record(samples, subject.name, 'read', figures.opsPerSecond[i]!);
          record(samples, subject.name, 'read_cpu_us', figures.cpuMicrosPerOp[i]!);
          record(samples, subject.name, 'read_p50_us', median(latencies[i]!) * 1000);
        });
      }
    }
    const units: Record<string, string> = { read: 'ops/s', read_cpu_us: 'µs CPU/op', read_p50_us: 'µs' };
    const rows = summarise(samples, {
      unitOf: (m) => units[m]!,
      floors: ['floor'],
      ratioMetrics: ['read', 'read_cpu_us', 'read_p50_us'],
      decimals: (m) => (m === 'read' ? 0 : 2),
    });
    console.log('\norigin-read: GET /v1/acme/public/projects (2 projects), sequential, interleaved rounds');
    console.table(rows);
    await writeRows('origin-read', rows);
  } finally {
    raw.disconnect();
    await services.close();
    await redis.stop();
  }
}

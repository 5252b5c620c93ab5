/**
 * Tag invalidation with 10 000 tagged entries among 1 000 000 keys: this engine's version bump
 * against the design's naive `KEYS` + `DEL` Lua script (docs/architecture.md, "Design targets"),
 * each timed alone and under a prober in five interleaved rounds (the same statistics for both:
 * medians, and the script's time over strata's paired per round): the time, and the worst
 * latency a concurrent client's `GET` saw while each ran (how long Redis was blocked for
 * everyone else).
 */
import { Redis } from 'ioredis';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { startRedis } from '../../local/redis-processes.ts';
import { interleave, summarise } from '../rounds.ts';
import type { Row } from '../rows.ts';

const NOISE = 1_000_000;
const TAGGED = 10_000;
const BRIEF_SCRIPT = "local keys = redis.call('KEYS', ARGV[1]) for i=1,#keys do redis.call('DEL', keys[i]) end return #keys";

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Runs `invalidate` while another connection GETs in a loop; returns its time and the worst GET. */
async function underProbe(url: string, invalidate: () => Promise<unknown>): Promise<{ ms: number; worstGetMs: number }> {
  const prober = new Redis(url, { protocol: 2 });
  await prober.set('probe', 'x');
  let running = true;
  let worst = 0;
  const probing = (async () => {
    while (running) {
      const started = performance.now();
      await prober.get('probe');
      worst = Math.max(worst, performance.now() - started);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  await invalidate();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  running = false;
  await probing;
  prober.disconnect();
  return { ms, worstGetMs: worst };
}

const ROUNDS = 5;

/** Rows `tag_invalidate_ms` and `tag_invalidate_worst_get_ms` (medians of five interleaved rounds) for `strata` and `brief-keys-del`, and the script's time over strata's, paired per round. */
export async function measureInvalidation(): Promise<Row[]> {
  const redis = await startRedis(['--enable-debug-command', 'yes']);
  const raw = new Redis(redis.url, { protocol: 2 });
  const store = createRedisStore({ url: redis.url, commandTimeoutMs: 10_000, connectTimeoutMs: 2000 });
  await store.connect();
  const engine = new CacheEngine({ store });
  try {
    await raw.call('DEBUG', 'POPULATE', String(NOISE), 'noise');
    const policy = DEFAULT_POLICIES.api;
    const keys = Array.from({ length: TAGGED }, (_, i) => resourceKey('acme', 'user', `u${i}`));
    // Each run starts from 10 000 live tagged entries, written the subject's own way (untimed).
    const subjects = [
      {
        name: 'brief-keys-del',
        seed: async () => {
          const pipeline = raw.pipeline();
          for (let i = 0; i < TAGGED; i++) pipeline.set(`api:v1:acme:users:${i}`, '{"cached":true}', 'EX', 900);
          await pipeline.exec();
        },
        invalidate: () => raw.eval(BRIEF_SCRIPT, 0, 'api:v1:acme:users:*'),
      },
      {
        name: 'strata',
        seed: () => engine.setMany(keys.map((key) => ({ target: { key, tenant: 'acme', policy, tags: ['users'] }, value: { cached: true } }))),
        invalidate: () => engine.invalidateTags('acme', ['users']),
      },
    ];
    // Timed alone (a concurrent prober would share this process's event loop), then again
    // under the prober to see how long every other client waits.
    const samples = await interleave(subjects, {
      rounds: ROUNDS,
      phases: ['alone', 'probed'],
      measure: async (subject, phase): Promise<Record<string, number>> => {
        await subject.seed();
        if (phase === 'alone') return { tag_invalidate_ms: await timed(subject.invalidate) };
        return { tag_invalidate_worst_get_ms: (await underProbe(redis.url, subject.invalidate)).worstGetMs };
      },
    });
    const sample = await engine.getMany(
      keys.slice(0, 100).map((key) => ({ key, tenant: 'acme', policy, tags: ['users'], load: async () => ({ reloaded: true }) })),
    );
    if (!sample.every((r) => r.status === 'miss')) throw new Error('tag invalidation left entries valid');
    return summarise(samples, { unitOf: () => 'ms', floors: ['strata'], ratioMetrics: ['tag_invalidate_ms'], decimals: 3 });
  } finally {
    await engine.close();
    await store.close();
    raw.disconnect();
    await redis.stop();
  }
}

/**
 * Tag invalidation with 10 000 tagged entries among 1 000 000 keys: this engine's version bump
 * against the brief's `KEYS` + `DEL` Lua script, each timed alone (strata: median of five), and
 * the worst latency a concurrent client's `GET` saw while each ran (how long Redis was blocked
 * for everyone else).
 */
import { Redis } from 'ioredis';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { startRedis } from '../../test/harness/redis.ts';
import type { Row } from './rows.ts';

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

/** Rows `tag_invalidate_ms` and `tag_invalidate_worst_get_ms` for `strata` and `brief-keys-del`. */
export async function measureInvalidation(): Promise<Row[]> {
  const redis = await startRedis(['--enable-debug-command', 'yes']);
  const raw = new Redis(redis.url, { protocol: 2 });
  const store = createRedisStore({ url: redis.url, commandTimeoutMs: 10_000, connectTimeoutMs: 2000 });
  await store.connect();
  const engine = new CacheEngine({ store });
  try {
    await raw.call('DEBUG', 'POPULATE', String(NOISE), 'noise');
    const policy = DEFAULT_POLICIES.api;

    const seedBrief = async () => {
      const pipeline = raw.pipeline();
      for (let i = 0; i < TAGGED; i++) pipeline.set(`api:v1:acme:users:${i}`, '{"cached":true}', 'EX', 900);
      await pipeline.exec();
    };
    const runBrief = () => raw.eval(BRIEF_SCRIPT, 0, 'api:v1:acme:users:*');
    // Timed alone (a concurrent prober would share this process's event loop), then again
    // under the prober to see how long every other client waits.
    await seedBrief();
    const briefMs = await timed(runBrief);
    await seedBrief();
    const brief = await underProbe(redis.url, runBrief);

    const keys = Array.from({ length: TAGGED }, (_, i) => resourceKey('acme', 'user', `u${i}`));
    await engine.setMany(keys.map((key) => ({ target: { key, tenant: 'acme', policy, tags: ['users'] }, value: { cached: true } })));
    const strataRuns: number[] = [];
    for (let i = 0; i < 5; i++) strataRuns.push(await timed(() => engine.invalidateTags('acme', ['users'])));
    const strataMs = strataRuns.sort((a, b) => a - b)[2]!;
    const strata = await underProbe(redis.url, () => engine.invalidateTags('acme', ['users']));
    const sample = await engine.getMany(keys.slice(0, 100).map((key) => ({ key, tenant: 'acme', policy, tags: ['users'], load: async () => ({ reloaded: true }) })));
    if (!sample.every((r) => r.status === 'miss')) throw new Error('tag invalidation left entries valid');

    return [
      { subject: 'strata', metric: 'tag_invalidate_ms', value: round(strataMs), unit: 'ms' },
      { subject: 'strata', metric: 'tag_invalidate_worst_get_ms', value: round(strata.worstGetMs), unit: 'ms' },
      { subject: 'brief-keys-del', metric: 'tag_invalidate_ms', value: round(briefMs), unit: 'ms' },
      { subject: 'brief-keys-del', metric: 'tag_invalidate_worst_get_ms', value: round(brief.worstGetMs), unit: 'ms' },
    ];
  } finally {
    await engine.close();
    await store.close();
    raw.disconnect();
    await redis.stop();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

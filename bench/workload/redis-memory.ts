/**
 * Redis memory per data type: every master is scanned, keys are grouped by the first segment of
 * their name (`session`, `user`, `resource`, `api`, `config`, the engine's `ver` and `lock`, the
 * login limiter's `login`, …), and up to `sample` keys of each group are measured with
 * `MEMORY USAGE` (key, value and Redis's own overhead). A group's total is its mean times its
 * count; `used_memory` of the masters is reported beside it.
 */
import { Redis } from 'ioredis';

/** One group of keys. */
export interface KeyGroup {
  readonly keys: number;
  readonly sampled: number;
  readonly bytesPerEntry: number;
  readonly totalBytes: number;
}

/** What `measureRedisMemory` found. */
export interface RedisMemory {
  readonly groups: Map<string, KeyGroup>;
  /** `used_memory` summed over the masters. */
  readonly usedMemoryBytes: number;
}

/** The group of a key: its name up to the first `:` (all of it when there is none). */
export function keyGroup(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

/** Measures the masters among `nodeUrls` (`redis://host:port` each). */
export async function measureRedisMemory(nodeUrls: readonly string[], sample = 200): Promise<RedisMemory> {
  const clients = nodeUrls.map((url) => new Redis(url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 1 }));
  try {
    await Promise.all(clients.map((client) => client.connect()));
    const roles = await Promise.all(clients.map(async (client) => ((await client.role()) as [string])[0]));
    const masters = clients.filter((_, i) => roles[i] === 'master');
    const byGroup = new Map<string, { keys: number; sizes: number[] }>();
    let usedMemoryBytes = 0;
    for (const master of masters) {
      usedMemoryBytes += Number(/used_memory:(\d+)/.exec(await master.info('memory'))?.[1] ?? 0);
      const sampledHere = new Map<string, number>();
      let cursor = '0';
      do {
        const [next, keys] = await master.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const name = keyGroup(key);
          const group = byGroup.get(name) ?? { keys: 0, sizes: [] };
          byGroup.set(name, group);
          group.keys++;
          // The first `sample` keys of each group on each master, in SCAN order (the hash table's).
          if ((sampledHere.get(name) ?? 0) < sample) {
            sampledHere.set(name, (sampledHere.get(name) ?? 0) + 1);
            const bytes = await master.memory('USAGE', key, 'SAMPLES', 0);
            if (typeof bytes === 'number') group.sizes.push(bytes);
          }
        }
      } while (cursor !== '0');
    }
    const groups = new Map<string, KeyGroup>();
    for (const [name, { keys, sizes }] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
      const mean = sizes.length > 0 ? sizes.reduce((sum, size) => sum + size, 0) / sizes.length : Number.NaN;
      groups.set(name, { keys, sampled: sizes.length, bytesPerEntry: Math.round(mean), totalBytes: Math.round(mean * keys) });
    }
    return { groups, usedMemoryBytes };
  } finally {
    for (const client of clients) client.disconnect();
  }
}

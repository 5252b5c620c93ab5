/**
 * The Redis stores' operator views (`../inspection.ts`): PTTL of one key, and bounded SCANs of
 * every primary (a cluster's masters, or the one server) with DBSIZE and INFO memory. Every
 * command is bounded by the store's deadlines, like any other; a SCAN step asks for 1000 keys.
 */
import { Cluster, type Redis } from 'ioredis';
import { prefixOf, type StoreCensus, type StoreInspection } from '../inspection.ts';

const SCAN_STEP = 1000;

/** `field:value` of INFO, as a number; undefined when absent or not a number. */
function infoNumber(info: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:(\\d+)\\r?$`, 'm').exec(info);
  return match ? Number(match[1]) : undefined;
}

function infoText(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:([^\\r\\n]*)`, 'm').exec(info)?.[1];
}

/** Walks `node`'s keyspace matching `pattern`, handing each key to `visit`, until `budget` keys were looked at. */
async function walk(
  node: Redis,
  pattern: string,
  budget: number,
  bound: <T>(sent: Promise<T>) => Promise<T>,
  visit: (key: string) => void,
): Promise<{ looked: number; complete: boolean }> {
  let cursor = '0';
  let looked = 0;
  let steps = 0;
  do {
    const [next, keys] = await bound(node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_STEP));
    cursor = next;
    steps++;
    looked += keys.length;
    for (const key of keys) visit(key);
    // A step looks at about SCAN_STEP keys whatever MATCH returns: the budget counts steps.
  } while (cursor !== '0' && steps * SCAN_STEP < budget);
  return { looked, complete: cursor === '0' };
}

/** The inspection of a store over `client`; `bound` applies the store's command deadlines. */
export function redisInspection(client: Redis | Cluster, bound: <T>(sent: Promise<T>) => Promise<T>): StoreInspection {
  const primaries = (): Redis[] => (client instanceof Cluster ? client.nodes('master') : [client]);
  return {
    async ttl(key) {
      const ms = await bound(client.pttl(key));
      if (ms === -2) return undefined;
      return ms === -1 ? Infinity : ms;
    },
    async scan(pattern, budget) {
      const keys: string[] = [];
      let complete = true;
      for (const node of primaries()) {
        const walked = await walk(node, pattern, budget, bound, (key) => keys.push(key));
        complete &&= walked.complete;
      }
      return { keys, complete };
    },
    async census(prefixes, budget): Promise<StoreCensus> {
      const counts: Record<string, number> = Object.fromEntries([...prefixes, 'other'].map((p) => [p, 0]));
      const nodes = primaries();
      let totalKeys = 0;
      let scannedKeys = 0;
      let complete = true;
      let usedMemoryBytes: number | undefined = 0;
      let maxMemoryBytes: number | undefined = 0;
      let evictionPolicy: string | undefined;
      for (const node of nodes) {
        const [size, memory] = await Promise.all([bound(node.dbsize()), bound(node.info('memory'))]);
        totalKeys += size;
        const used = infoNumber(memory, 'used_memory');
        const max = infoNumber(memory, 'maxmemory');
        usedMemoryBytes = used === undefined || usedMemoryBytes === undefined ? undefined : usedMemoryBytes + used;
        maxMemoryBytes = max === undefined || maxMemoryBytes === undefined ? undefined : maxMemoryBytes + max;
        evictionPolicy ??= infoText(memory, 'maxmemory_policy');
        const walked = await walk(node, '*', budget, bound, (key) => {
          counts[prefixOf(key, prefixes)]! += 1;
        });
        scannedKeys += walked.looked;
        complete &&= walked.complete;
      }
      return { nodes: nodes.length, totalKeys, scannedKeys, complete, counts, usedMemoryBytes, maxMemoryBytes, evictionPolicy };
    },
  };
}

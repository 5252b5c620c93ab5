/**
 * The Upstash side of a purge: claim the purge id and bump its versions in one atomic script,
 * so a purge is never marked done without its versions changing (a claim followed by a failed
 * bump would make the sender's redelivery a "duplicate" and lose the purge).
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { hex } from '../../common/hex.ts';
import { purgeIdKey } from './keys.ts';

/**
 * How long a purge id is remembered. Much longer than the signature window on purpose: the
 * outbox re-signs each redelivery with a fresh timestamp, so the id is what marks a repeat.
 */
export const PURGE_ID_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a bumped version lives. It must outlast the longest time a response stays in edge
 * storage: once a version expires it reads as unset again, which only responses stored before
 * its first bump carry, and those are gone by then. New values are unique, so a version never
 * returns to a value an older stored response carries.
 */
export const VERSION_TTL_SECONDS = 30 * 24 * 60 * 60;

// KEYS[1] the id marker, KEYS[2..] versions; ARGV: id ttl, new version, version ttl.
const CLAIM_AND_BUMP = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'EX', ARGV[3]) end
return 1`;

/** A fresh version value; the `v` keeps the Upstash client from reading it back as JSON. */
export function newVersion(): string {
  return `v${Date.now().toString(36)}${hex(crypto.getRandomValues(new Uint8Array(6)))}`;
}

/** Claims purge `id` and sets every key in `versionKeys` to a new version; false when `id` was already claimed. */
export async function claimAndBump(redis: Redis, id: string, versionKeys: readonly string[]): Promise<boolean> {
  const result = await redis.eval<[number, string, number], number>(
    CLAIM_AND_BUMP,
    [purgeIdKey(id), ...versionKeys],
    [PURGE_ID_TTL_SECONDS, newVersion(), VERSION_TTL_SECONDS],
  );
  return Number(result) === 1;
}

/** Forgets purge `id`, so its redelivery runs again (after a failure past the claim). */
export async function releaseClaim(redis: Redis, id: string): Promise<void> {
  await redis.del(purgeIdKey(id));
}

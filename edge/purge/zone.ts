/**
 * Cloudflare's zone purge API (`POST /zones/{zone}/purge_cache`), batched to its per-request
 * limits and retried on 429 / 5xx. One selector kind per request, one request at a time: the
 * purge rate limit is a per-account token bucket (Free 5 requests/min with a bucket of 25; Pro 5/s,
 * bucket 25; Business 10/s, bucket 50; Enterprise 50/s, bucket 500), so bursts stay small.
 * Limits from developers.cloudflare.com/cache/how-to/purge-cache (and purge_by_prefix).
 */
import type { PurgeMessage } from '../../common/purge.ts';
import type { Env } from '../env.ts';

/**
 * Most items per request: 100 operations for tags and (on every plan below Enterprise)
 * single-file URLs; prefixes are held to the 30 per call the prefix page still states.
 */
export const ZONE_PURGE_BATCH = { files: 100, tags: 100, prefixes: 30 } as const;

/** Attempts per request, the first included, when Cloudflare answers 429 / 5xx or is unreachable. */
export const ZONE_PURGE_MAX_ATTEMPTS = 3;

const BACKOFF_BASE_MS = 250;
const MAX_RETRY_AFTER_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_API_BASE = 'https://api.cloudflare.com/client/v4';

/** Where zone purges go; from the bindings. */
export interface ZoneTarget {
  base: string;
  zone: string;
  token: string;
}

/** What to purge from the zone. */
export interface ZonePurgeWork {
  files: string[];
  tags: string[];
  prefixes: string[];
  everything: boolean;
}

/** A zone purge that failed after its retries. */
export class ZonePurgeError extends Error {
  override name = 'ZonePurgeError';
}

/** The zone to purge, when both `CF_ZONE_ID` and `CF_API_TOKEN` are set. */
export function zoneTarget(env: Env): ZoneTarget | undefined {
  if (!env.CF_ZONE_ID || !env.CF_API_TOKEN) return undefined;
  return { base: (env.CF_API_BASE || DEFAULT_API_BASE).replace(/\/+$/, ''), zone: env.CF_ZONE_ID, token: env.CF_API_TOKEN };
}

/**
 * The zone work of a message. Cloudflare wants prefixes as `host/path` without a scheme; the
 * host is the one this webhook was sent to, the edge's public hostname. A tenant is purged as
 * the prefix of its paths.
 */
export function zoneWork(message: PurgeMessage, hostname: string): ZonePurgeWork {
  const prefixes = [...(message.prefixes ?? []), ...(message.tenants ?? []).map((tenant) => `/v1/${tenant}/`)];
  return {
    files: [...new Set(message.urls ?? [])],
    tags: [...new Set(message.tags ?? [])],
    prefixes: [...new Set(prefixes.map((path) => `${hostname}${path}`))],
    everything: message.everything === true,
  };
}

/** The request bodies `work` takes: purge_everything alone supersedes every other selector. */
export function zonePurgeBodies(work: ZonePurgeWork): object[] {
  if (work.everything) return [{ purge_everything: true }];
  const bodies: object[] = [];
  const batches = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  for (const files of batches(work.files, ZONE_PURGE_BATCH.files)) bodies.push({ files });
  for (const tags of batches(work.tags, ZONE_PURGE_BATCH.tags)) bodies.push({ tags });
  for (const prefixes of batches(work.prefixes, ZONE_PURGE_BATCH.prefixes)) bodies.push({ prefixes });
  return bodies;
}

function retryDelayMs(response: Response | undefined, attempt: number): number {
  const retryAfter = Number(response?.headers.get('retry-after') ?? Number.NaN);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
  return BACKOFF_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

async function send(target: ZoneTarget, body: object): Promise<void> {
  const url = `${target.base}/zones/${encodeURIComponent(target.zone)}/purge_cache`;
  let last = 'no attempt';
  for (let attempt = 1; attempt <= ZONE_PURGE_MAX_ATTEMPTS; attempt++) {
    let response: Response | undefined;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const answer = (await response.json().catch(() => ({}))) as { success?: boolean; errors?: unknown };
      if (response.ok && answer.success !== false) return;
      last = `HTTP ${response.status} ${JSON.stringify(answer.errors ?? [])}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (error) {
      last = String(error);
    }
    if (attempt < ZONE_PURGE_MAX_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, retryDelayMs(response, attempt)));
  }
  throw new ZonePurgeError(`zone purge failed: ${last}`);
}

/** Sends `work` to the zone, request after request; resolves the number of requests, throws `ZonePurgeError`. */
export async function purgeZone(target: ZoneTarget, work: ZonePurgeWork): Promise<number> {
  const bodies = zonePurgeBodies(work);
  for (const body of bodies) await send(target, body);
  return bodies.length;
}

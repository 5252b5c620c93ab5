/**
 * `POST /_strata/purge`: the signed purge webhook (docs/edge.md, "Purges"). Checks run cheapest
 * first and nothing is purged until all pass: size (413, `purgeBodyLimit` before the handler),
 * signature and window (401), message (400). Then the id is claimed and the versions bumped in one Upstash script (a repeated id
 * answers 200 `duplicate`: the origin's outbox redelivers at least once), this data centre's
 * Cache API copies of the URLs are deleted, and the Cloudflare zone is purged when configured.
 * Anything the sender should retry answers 503 `purge_unavailable`: the outbox keeps the purge
 * (redelivered later). That includes a missing PURGE_SECRET: a deployment fault, not a forged request, so
 * the purge waits in the outbox until the secret is set instead of being dropped as refused.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { parsePurgeMessage, PURGE_MAX_BODY_BYTES, verifyPurge, type PurgeMessage, type PurgeRejection } from '../../common/purge.ts';
import { storedKeyFor } from '../cache/routes.ts';
import { appendCacheStatus, bypassStatus } from '../cache/status.ts';
import type { EdgeStorage } from '../cache/storage.ts';
import type { EdgeEnv } from '../env.ts';
import { log } from '../log.ts';
import { upstashFor } from '../upstash.ts';
import { purgeVersionKeys } from './keys.ts';
import { claimAndBump, releaseClaim } from './store.ts';
import { forgetVersions } from './versions.ts';
import { purgeZone, zoneTarget, zoneWork } from './zone.ts';

const REJECTIONS: Record<PurgeRejection, string> = {
  missing_headers: 'purge id, timestamp and signature headers are required',
  malformed_id: 'malformed purge id header',
  malformed_timestamp: 'malformed purge timestamp header',
  malformed_signature: 'malformed purge signature header',
  stale: 'purge timestamp is outside the accepted window (too old)',
  future: 'purge timestamp is outside the accepted window (in the future)',
  bad_signature: 'purge signature does not match',
};

/**
 * Refuses purge bodies over PURGE_MAX_BODY_BYTES with 413, by their declared `Content-Length` or,
 * when none is declared (a chunked body), by counting the bytes as they arrive.
 */
export function purgeBodyLimit(): MiddlewareHandler<EdgeEnv> {
  return bodyLimit({
    maxSize: PURGE_MAX_BODY_BYTES,
    onError: () => {
      throw new HttpError(413, ERROR_CODES.payloadTooLarge, `purge bodies are limited to ${PURGE_MAX_BODY_BYTES} bytes`);
    },
  });
}

function unavailable(message: string, cause?: unknown): HttpError {
  return new HttpError(503, ERROR_CODES.purgeUnavailable, message, { cause });
}

function parseBody(bytes: Uint8Array, headerId: string): PurgeMessage {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new HttpError(400, ERROR_CODES.invalidPurge, 'purge body is not JSON');
  }
  const parsed = parsePurgeMessage(value);
  if (!parsed.ok) throw new HttpError(400, ERROR_CODES.invalidPurge, `invalid purge: ${parsed.error}`);
  if (parsed.message.id !== headerId) throw new HttpError(400, ERROR_CODES.invalidPurge, 'purge id in the body differs from its header');
  return parsed.message;
}

/**
 * Deletes this data centre's stored copies of `urls` (under the keys the route policy gives
 * them); the number deleted. Failures only log: versions already cover the URLs.
 */
async function deleteLocal(storage: EdgeStorage, policyText: string | undefined, urls: readonly string[]): Promise<number> {
  const results = await Promise.all(
    urls.map((url) => {
      const key = storedKeyFor(policyText, url);
      return key === undefined
        ? false
        : storage.delete(key).catch((error: unknown) => {
            log('warn', 'purge: local cache delete failed', { url, error: String(error) });
            return false;
          });
    }),
  );
  return results.filter(Boolean).length;
}

/** The purge webhook handler over the edge's `storage`. */
export function purgeHandler(storage: EdgeStorage) {
  return async function purge(c: Context<EdgeEnv>): Promise<Response> {
    const secret = c.env.PURGE_SECRET;
    if (!secret) throw unavailable('purges are refused until PURGE_SECRET is set');

    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const verified = await verifyPurge(secret, c.req.raw.headers, bytes);
    if (!verified.ok) {
      log('warn', 'purge refused', { reason: verified.reason, requestId: c.get('requestId') });
      throw new HttpError(401, ERROR_CODES.unauthorized, REJECTIONS[verified.reason]);
    }
    const message = parseBody(bytes, verified.id);

    const redis = (() => {
      try {
        return upstashFor(c.env);
      } catch (error) {
        throw unavailable('purge versions are misconfigured (UPSTASH_REDIS_REST_URL)', error);
      }
    })();
    if (!redis || !c.env.UPSTASH_REDIS_REST_URL) throw unavailable('purge versions are not configured (UPSTASH_REDIS_REST_URL/TOKEN)');
    const versionKeys = purgeVersionKeys(message);
    let claimed: boolean;
    try {
      claimed = await claimAndBump(redis, message.id, versionKeys);
    } catch (error) {
      throw unavailable('purge versions are unreachable; retry later', error);
    }
    const requestId = c.get('requestId');
    if (!claimed) {
      log('info', 'purge duplicate', { id: message.id, requestId });
      return answer(c, { status: 'duplicate', id: message.id });
    }
    forgetVersions(c.env.UPSTASH_REDIS_REST_URL, versionKeys);

    const cacheDeleted = await deleteLocal(storage, c.env.ROUTE_POLICY, message.urls ?? []);
    let zoneRequests = 0;
    const target = zoneTarget(c.env);
    if (target) {
      try {
        zoneRequests = await purgeZone(target, zoneWork(message, new URL(c.req.url).hostname));
      } catch (error) {
        // Let the redelivery run the whole purge again; bumping the versions twice is harmless.
        await releaseClaim(redis, message.id).catch((release: unknown) =>
          log('error', 'purge: could not release the id after a zone failure', { id: message.id, error: String(release) }),
        );
        throw unavailable('zone purge failed; retry later', error);
      }
    }
    const counts = {
      urls: message.urls?.length ?? 0,
      tags: message.tags?.length ?? 0,
      tenants: message.tenants?.length ?? 0,
      prefixes: message.prefixes?.length ?? 0,
      everything: message.everything === true,
      versionsBumped: versionKeys.length,
      cacheDeleted,
      zoneRequests,
    };
    log('info', 'purged', { id: message.id, requestId, ...counts });
    return answer(c, { status: 'purged', id: message.id, ...counts });
  };
}

function answer(c: Context<EdgeEnv>, body: Record<string, unknown>): Response {
  const response = c.json(body, 200, { 'cache-control': 'no-store' });
  appendCacheStatus(response.headers, bypassStatus());
  return response;
}

/** Defaults of {@link OriginApi}. */
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { PublicRoute, Throttling } from './routes.ts';

/**
 * The public, cacheable reads (the edge's allow-list, one layer down). The list is an API
 * response (5–15 min in the design, 10 here); one project is a resource (30 min).
 */
export const DEFAULT_PUBLIC_ROUTES: readonly PublicRoute[] = [
  { path: 'projects', cacheTtl: Duration.minutes(10), cacheKeyQueryParameters: ['cursor', 'limit'] },
  { path: 'projects/{id}', cacheTtl: Duration.minutes(30) },
];

/**
 * Header every cached method keys on. The edge sets it to a token that changes whenever anything
 * of the tenant is purged (a per-tenant purge counter plus the `everything` epoch: tags are known
 * only after the response), so a purge also walks past API Gateway's stage cache — without it
 * the stage cache would hand the edge the pre-purge response for up to its TTL and break the
 * freshness contract (docs/engine.md, "Freshness contract").
 */
export const CACHE_VERSION_HEADER = 'X-Strata-Cache-Version';

/** API Gateway's answer to a request without the edge's token (Strata's error shape). */
export const EDGE_ONLY_BODY =
  '{"error":{"code":"forbidden","message":"this API answers the Strata edge only; send requests to the edge","requestId":"$context.requestId"}}';

/** The design's bounds for layer 2: 5–60 minutes (docs/architecture.md, "Design targets"). */
export const MIN_CACHE_TTL = Duration.minutes(5);
export const MAX_CACHE_TTL = Duration.minutes(60);

/** Stage cache sizes API Gateway offers, in GB. */
export const CACHE_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;
export const DEFAULT_CACHE_SIZE = '0.5';

/** Requests per second across the stage (steady, burst). */
export const DEFAULT_THROTTLING: Throttling = { rateLimit: 500, burstLimit: 1000 };
export const DEFAULT_ACCESS_LOG_RETENTION = RetentionDays.THREE_MONTHS;

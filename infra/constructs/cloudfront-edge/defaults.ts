/** Defaults of {@link CloudFrontEdge}. */
import { Duration } from 'aws-cdk-lib';

/** The header CloudFront sends its credential in, as the Worker does (the authorizer's identity source). */
export { EDGE_TOKEN_HEADER } from '../edge-authorizer/defaults.ts';

/**
 * Request headers a cached route passes to the origin on a miss, outside the cache key: the
 * tenant's API key (API Gateway meters and throttles with it; a cached response serves anyone,
 * as at the Worker) and the client address the viewer-request function sets.
 */
export const CACHED_ROUTE_HEADERS = ['x-api-key', 'x-strata-client-ip'];

/**
 * Response headers only the edge reads: the purge tags the Worker turns into `Cache-Tag`, and the
 * session-tenant confirmation its quota uses. CloudFront uses neither; no client sees them.
 */
export const INTERNAL_RESPONSE_HEADERS = ['x-strata-cache-tags', 'x-strata-session-tenant'];

/**
 * Cached routes honour the origin (RFC 9111): no lifetime of CloudFront's own when the origin
 * gives none, and any lifetime it gives (`s-maxage` first), up to a year.
 */
export const MIN_TTL = Duration.seconds(0);
export const DEFAULT_TTL = Duration.seconds(0);
export const MAX_TTL = Duration.days(365);

/** How long CloudFront's access logs are kept. */
export const LOG_RETENTION = Duration.days(90);

/** Defaults of {@link EdgeAuthorizer}. */
import { Duration } from 'aws-cdk-lib';

/** The header the edge sends its credential in (the edge's `x-strata-edge-token`). */
export const EDGE_TOKEN_HEADER = 'x-strata-edge-token';

/**
 * How long API Gateway reuses the authorizer's answer for one token: the authorizer runs about
 * once per five minutes for the edge, and a token removed from the secret stops working within
 * this plus the secret cache below.
 */
export const DEFAULT_RESULTS_CACHE_TTL = Duration.minutes(5);

/** How long the authorizer reuses a Secrets Manager read. */
export const DEFAULT_SECRET_CACHE_TTL = Duration.minutes(5);

/** A string comparison and two cached reads: small and quick. */
export const MEMORY_MB = 256;
export const TIMEOUT = Duration.seconds(5);

/** The generated token: long and header-safe (letters and digits). */
export const TOKEN_LENGTH = 64;

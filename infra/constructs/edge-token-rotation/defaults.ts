/** Defaults of {@link EdgeTokenRotation}. */
import { Duration } from 'aws-cdk-lib';
import { DEFAULT_RESULTS_CACHE_TTL, DEFAULT_SECRET_CACHE_TTL } from '../edge-authorizer/defaults.ts';

/** How often Secrets Manager rotates the token. */
export const DEFAULT_ROTATION = Duration.days(30);

/**
 * How often the sync runs. A switch waits for {@link DEFAULT_SETTLE}, a retirement for the
 * distribution to deploy; five minutes adds little to either.
 */
export const DEFAULT_SYNC_INTERVAL = Duration.minutes(5);

/**
 * How long a new value must have been current before CloudFront sends it: the authorizer's
 * Secrets Manager cache plus API Gateway's cache of its answers, so no edge location sends a
 * value an authorizer instance has not read yet.
 */
export const DEFAULT_SETTLE = Duration.seconds(DEFAULT_SECRET_CACHE_TTL.toSeconds() + DEFAULT_RESULTS_CACHE_TTL.toSeconds());

/** Three AWS calls per run. */
export const MEMORY_MB = 256;
export const TIMEOUT = Duration.seconds(30);

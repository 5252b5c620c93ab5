/**
 * The origin's side of the CloudFront edge (`-c edge=cloudfront`): purges as invalidations, and
 * the rotation of the token CloudFront sends the API (`token-rotation.ts`).
 */
import type { OutboxDelivererOptions } from '../outbox/index.ts';
import type { DistributionIdSource } from './distribution-id.ts';
import { CloudFrontPurgeTarget } from './purge-target.ts';

export { CLOUDFRONT_LIMITS, planRounds, type InvalidationLimits, type InvalidationRound } from './batches.ts';
export { DistributionId, type DistributionIdSource } from './distribution-id.ts';
export { EVERYTHING, invalidationPaths, minimalPaths } from './paths.ts';
export { CloudFrontPurgeTarget, type CloudFrontPurgeTargetOptions } from './purge-target.ts';

/** The deliverer's `target` for a configured distribution, or nothing (the edge's webhook). */
export function purgeTargetOptions(distribution: DistributionIdSource | undefined): Pick<OutboxDelivererOptions, 'target'> {
  return distribution ? { target: new CloudFrontPurgeTarget({ distribution }) } : {};
}

/**
 * The outbox's CloudFront target (`-c edge=cloudfront`): each purge becomes invalidation paths
 * (`paths.ts`), grouped into requests within CloudFront's limits (`batches.ts`) and sent with
 * `CreateInvalidation`. A purge is done only when CloudFront accepted the request holding it;
 * a refusal (`TooManyInvalidationsInProgress` while 15 wildcard paths or 3,000 files are in
 * progress, throttling, a network failure) stops the run, and that purge and those after it stay
 * in the outbox for the deliverer's backoff. Nothing is lost, and nothing is split.
 */
import { randomUUID } from 'node:crypto';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { log } from '../log.ts';
import type { OutboxRecord, PurgeTarget } from '../outbox/index.ts';
import { CLOUDFRONT_LIMITS, planRounds, type InvalidationLimits } from './batches.ts';
import { DistributionId, type DistributionIdSource } from './distribution-id.ts';
import { invalidationPaths } from './paths.ts';

/** Where invalidations go and through which clients. */
export interface CloudFrontPurgeTargetOptions {
  readonly distribution: DistributionIdSource;
  /** @default a client for CloudFront's global endpoint (signed for us-east-1) */
  readonly client?: CloudFrontClient;
  /** Reads the distribution id parameter. @default a client for the function's region */
  readonly ssm?: SSMClient;
  /** @default CLOUDFRONT_LIMITS */
  readonly limits?: InvalidationLimits;
}

function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Sends purges to one CloudFront distribution as invalidations. The SDK is loaded by the first
 * delivery, not by the constructor: the origin builds its target at start-up, and most of its
 * instances never purge.
 */
export class CloudFrontPurgeTarget implements PurgeTarget {
  #client: CloudFrontClient | undefined;
  readonly #distribution: DistributionId;
  readonly #limits: InvalidationLimits;

  constructor(options: CloudFrontPurgeTargetOptions) {
    this.#client = options.client;
    this.#distribution = new DistributionId(options.distribution, options.ssm);
    this.#limits = options.limits ?? CLOUDFRONT_LIMITS;
  }

  /** Sends `records` as few invalidations as the limits allow; returns why each unsent one failed. */
  async deliver(records: readonly OutboxRecord[]): Promise<ReadonlyMap<string, string>> {
    // Imported here rather than at the top (`cloudfront-sdk.ts` says why); loaded once, then a resolved import.
    const { CloudFrontClient, CreateInvalidationCommand, NoSuchDistribution } = await import('./cloudfront-sdk.ts');
    // CloudFront is a global service: one endpoint, requests signed for us-east-1.
    const client = (this.#client ??= new CloudFrontClient({ region: 'us-east-1' }));
    const failures = new Map<string, string>();
    let distributionId: string;
    try {
      distributionId = await this.#distribution.get();
    } catch (error) {
      for (const record of records) failures.set(record.id, `CloudFront distribution id unreadable: ${reason(error)}`);
      return failures;
    }
    const purges = records.map((record) => ({ id: record.id, paths: invalidationPaths(record.message) }));
    const rounds = planRounds(purges, this.#limits);
    let refusal: string | undefined;
    for (const round of rounds) {
      if (refusal === undefined) {
        if (round.widened.length > 0) log.warn('purge widened to /*: more wildcard paths than CloudFront takes at once', { ids: round.widened });
        try {
          await client.send(
            new CreateInvalidationCommand({
              DistributionId: distributionId,
              // New per request, so a retry of this call by the SDK cannot create a second one.
              InvalidationBatch: { CallerReference: `strata-${randomUUID()}`, Paths: { Quantity: round.paths.length, Items: round.paths } },
            }),
          );
          continue;
        } catch (error) {
          if (error instanceof NoSuchDistribution) this.#distribution.forget();
          refusal = reason(error);
          for (const id of round.ids) failures.set(id, refusal);
          continue;
        }
      }
      for (const id of round.ids) failures.set(id, `not sent after an earlier refusal (${refusal})`);
    }
    return failures;
  }
}

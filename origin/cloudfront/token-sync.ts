/**
 * Keeps the token CloudFront sends the API (`x-strata-edge-token`, an origin custom header) equal
 * to the Secrets Manager secret the authorizer checks, without refusing a request on the way.
 * The authorizer accepts the secret's `AWSCURRENT` and `AWSPREVIOUS` values and caches what it
 * read (five minutes), so after the value changes (a rotation, or `put-secret-value`):
 *
 * 1. CloudFront keeps sending the old value, now `AWSPREVIOUS` and still accepted;
 * 2. once the new value has been current for `settleMs` (the authorizer has read it), the
 *    distribution's header is switched to it (`UpdateDistribution`);
 * 3. once the distribution is `Deployed` (every edge location sends the new value), the
 *    `AWSPREVIOUS` label is removed, and the old value stops working within the authorizer's
 *    caches (ten minutes).
 *
 * A header that matches neither value (the API refuses CloudFront already) is switched at once.
 * Run on a schedule (infra/constructs/edge-token-rotation); each run does at most one step.
 */
import { GetDistributionCommand, UpdateDistributionCommand, type CloudFrontClient, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { EDGE_TOKEN_HEADER } from '../gateway/edge-token.ts';

/** What one sync needs. */
export interface TokenSyncOptions {
  readonly secrets: SecretsManagerClient;
  readonly cloudfront: CloudFrontClient;
  /** Name or ARN of `strata/<stage>/edge-origin-token`. */
  readonly secretId: string;
  readonly distributionId: string;
  /** How long a new value must have been current before CloudFront sends it (the authorizer's caches). */
  readonly settleMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What a sync did. */
export type TokenSyncOutcome = 'in-sync' | 'waiting' | 'switched' | 'deploying' | 'retired-previous';

interface SecretVersion {
  readonly value: string;
  readonly versionId: string;
  readonly createdMs: number;
}

async function version(options: TokenSyncOptions, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<SecretVersion | undefined> {
  try {
    const out = await options.secrets.send(new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: stage }));
    if (!out.SecretString || !out.VersionId) throw new Error(`${options.secretId} ${stage} holds no text value`);
    return { value: out.SecretString, versionId: out.VersionId, createdMs: out.CreatedDate?.getTime() ?? 0 };
  } catch (error) {
    if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** The values the distribution's origins send in the token header, one per origin that sends it. */
export function sentTokens(config: DistributionConfig): string[] {
  return (config.Origins?.Items ?? []).flatMap((origin) =>
    (origin.CustomHeaders?.Items ?? []).filter((header) => header.HeaderName?.toLowerCase() === EDGE_TOKEN_HEADER).map((header) => header.HeaderValue ?? ''),
  );
}

function withToken(config: DistributionConfig, token: string): DistributionConfig {
  const items = (config.Origins?.Items ?? []).map((origin) => ({
    ...origin,
    ...(origin.CustomHeaders
      ? {
          CustomHeaders: {
            ...origin.CustomHeaders,
            Items: (origin.CustomHeaders.Items ?? []).map((header) =>
              header.HeaderName?.toLowerCase() === EDGE_TOKEN_HEADER ? { ...header, HeaderValue: token } : header,
            ),
          },
        }
      : {}),
  }));
  return { ...config, Origins: { Quantity: items.length, Items: items } };
}

/** Moves the distribution one step toward sending the current token (see the module doc). */
export async function syncDistribution(options: TokenSyncOptions): Promise<TokenSyncOutcome> {
  const now = options.now ?? Date.now;
  const current = (await version(options, 'AWSCURRENT'))!;
  const { Distribution, ETag } = await options.cloudfront.send(new GetDistributionCommand({ Id: options.distributionId }));
  const config = Distribution?.DistributionConfig;
  if (!config || !ETag) throw new Error(`distribution ${options.distributionId} has no configuration`);
  const sent = sentTokens(config);
  if (sent.length === 0) throw new Error(`no origin of distribution ${options.distributionId} sends ${EDGE_TOKEN_HEADER}`);

  if (sent.every((token) => token === current.value)) {
    if (Distribution.Status !== 'Deployed') return 'deploying';
    const described = await options.secrets.send(new DescribeSecretCommand({ SecretId: options.secretId }));
    const previous = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSPREVIOUS'))?.[0];
    if (!previous) return 'in-sync';
    await options.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: options.secretId, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: previous }));
    return 'retired-previous';
  }

  const previous = await version(options, 'AWSPREVIOUS');
  const sendsPrevious = previous !== undefined && sent.every((token) => token === previous.value);
  if (sendsPrevious && now() - current.createdMs < options.settleMs) return 'waiting';
  await options.cloudfront.send(
    new UpdateDistributionCommand({ Id: options.distributionId, IfMatch: ETag, DistributionConfig: withToken(config, current.value) }),
  );
  return 'switched';
}

/** True when every origin of the distribution that sends the token sends the current value. */
export async function distributionSendsCurrent(options: Pick<TokenSyncOptions, 'secrets' | 'cloudfront' | 'secretId' | 'distributionId'>): Promise<boolean> {
  const current = (await version({ ...options, settleMs: 0 }, 'AWSCURRENT'))!;
  const { Distribution } = await options.cloudfront.send(new GetDistributionCommand({ Id: options.distributionId }));
  const sent = Distribution?.DistributionConfig ? sentTokens(Distribution.DistributionConfig) : [];
  return sent.length > 0 && sent.every((token) => token === current.value);
}

/**
 * Lambda entry of the edge token's upkeep under `-c edge=cloudfront`
 * (infra/constructs/edge-token-rotation): Secrets Manager invokes it for each rotation step, and
 * an EventBridge schedule every five minutes to move CloudFront's origin header to the current
 * value once the authorizer accepts it (origin/cloudfront/token-sync.ts).
 */
// First: stack traces are mapped to the sources from here on (without --enable-source-maps).
import './stack-traces.ts';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadEdgeTokenConfig } from './cloudfront/token-config.ts';
import { isRotationEvent, rotationStep } from './cloudfront/token-rotation.ts';
import { syncDistribution, type TokenSyncOutcome } from './cloudfront/token-sync.ts';
import { log } from './log.ts';

const config = loadEdgeTokenConfig();
const secrets = new SecretsManagerClient({});
// CloudFront is global: one endpoint, requests signed for us-east-1.
const cloudfront = new CloudFrontClient({ region: 'us-east-1' });

/** A rotation step, or (any other event) one sync of the distribution's header. */
export async function handler(event: unknown): Promise<{ step: string } | { sync: TokenSyncOutcome }> {
  if (isRotationEvent(event)) {
    await rotationStep({ secrets, cloudfront, distributionId: config.distributionId }, event);
    log.info('edge token rotation step', { step: event.Step, version: event.ClientRequestToken });
    return { step: event.Step };
  }
  const outcome = await syncDistribution({ secrets, cloudfront, ...config });
  if (outcome !== 'in-sync') log.info('edge token sync', { outcome, distributionId: config.distributionId });
  return { sync: outcome };
}

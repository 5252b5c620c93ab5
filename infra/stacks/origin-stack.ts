import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { OriginApi } from '../constructs/origin-api.ts';
import { OriginFunction } from '../constructs/origin-function.ts';

/** Props of {@link OriginStack}. */
export interface OriginStackProps extends StackProps {
  /** Deployment stage (`dev`, `staging`, `production`). */
  readonly stage: string;
  /** Path of the origin's Lambda entry file. */
  readonly entry: string;
  /**
   * Name of a Secrets Manager secret whose `url` field is the PostgreSQL connection string.
   * @default `strata/<stage>/database`
   */
  readonly databaseSecretName?: string;
  /** `host:port,...` of the Redis cluster's configuration endpoint. @default in-memory cache */
  readonly redisClusterNodes?: string;
}

/** The origin: its Lambda function behind API Gateway. */
export class OriginStack extends Stack {
  constructor(scope: Construct, id: string, props: OriginStackProps) {
    super(scope, id, props);
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(props.stage)) {
      throw new Error(`OriginStack: stage must match [a-z][a-z0-9-]{0,20}, got ${JSON.stringify(props.stage)}`);
    }
    const secret = Secret.fromSecretNameV2(this, 'DatabaseSecret', props.databaseSecretName ?? `strata/${props.stage}/database`);
    const origin = new OriginFunction(this, 'Origin', {
      entry: props.entry,
      environment: {
        // A CloudFormation dynamic reference: resolved at deploy time, never written to the template.
        DATABASE_URL: secret.secretValueFromJson('url').unsafeUnwrap(),
        ...(props.redisClusterNodes ? { REDIS_CLUSTER_NODES: props.redisClusterNodes } : {}),
      },
    });
    const api = new OriginApi(this, 'Api', { handler: origin.function, stageName: props.stage });
    new CfnOutput(this, 'OriginUrl', { value: api.api.url, description: 'Set the edge Worker’s ORIGIN_URL to this' });
  }
}

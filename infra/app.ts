/**
 * The CDK app (`cdk.json` runs it). Stage and optional settings come from context:
 *   cdk synth -c stage=staging -c redisClusterNodes=clustercfg.example:6379
 */
import { App } from 'aws-cdk-lib';
import { OriginStack } from './stacks/origin-stack.ts';

const app = new App();
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
const redisClusterNodes = app.node.tryGetContext('redisClusterNodes') as string | undefined;

new OriginStack(app, `Strata-${stage}-Origin`, {
  stage,
  entry: 'origin/lambda.ts',
  ...(redisClusterNodes ? { redisClusterNodes } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
app.synth();

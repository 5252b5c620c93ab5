/**
 * The CloudFront edge of a stage (`-c edge=cloudfront`): `Strata-<stage>-Edge` after the origin
 * stack, and, when the stage is outside us-east-1, `Strata-<stage>-EdgeWaf` there (AWS WAF for
 * CloudFront lives in us-east-1), its web ACL reaching the edge stack across regions.
 */
import type { App } from 'aws-cdk-lib';
import { DEFAULT_PUBLIC_ROUTES } from './constructs/origin-api/defaults.ts';
import type { DataStack } from './stacks/data-stack.ts';
import { EdgeStack } from './stacks/edge-stack.ts';
import { EdgeWafStack } from './stacks/edge-waf-stack.ts';
import type { OriginStack } from './stacks/origin-stack.ts';
import type { StrataConfig } from './stages.ts';

/** The stacks of a CloudFront edge. */
export interface CloudFrontStacks {
  readonly edge: EdgeStack;
  /** Only outside us-east-1. */
  readonly edgeWaf?: EdgeWafStack;
}

/** Adds the CloudFront edge in front of `origin`'s API. */
export function addCloudFrontEdge(app: App, config: StrataConfig, data: DataStack, origin: OriginStack): CloudFrontStacks {
  const tags = { project: 'strata', stage: config.stage };
  const crossRegion = config.region !== 'us-east-1';
  const edgeWaf = crossRegion
    ? new EdgeWafStack(app, `Strata-${config.stage}-EdgeWaf`, {
        env: { account: config.account, region: 'us-east-1' },
        tags,
        stage: config.stage,
        crossRegionReferences: true,
      })
    : undefined;
  const roles = [origin.origin.function.role, origin.outboxDeliverer.function.role].filter((role) => role !== undefined);
  const edge = new EdgeStack(app, `Strata-${config.stage}-Edge`, {
    env: { account: config.account, region: config.region },
    tags,
    stage: config.stage,
    terminationProtection: config.terminationProtection,
    ...(crossRegion ? { crossRegionReferences: true } : {}),
    api: origin.api.api,
    edgeToken: data.edgeToken,
    tokenEntry: config.edgeTokenEntry ?? 'origin/edge-token-lambda.ts',
    purgers: roles,
    // CloudFront caches what the API would have: its public routes (the stage cache then has none).
    publicRoutes: config.api?.publicRoutes ?? DEFAULT_PUBLIC_ROUTES,
    ...(edgeWaf ? { webAclArn: edgeWaf.webAcl.webAcl.attrArn } : {}),
  });
  edge.addStackDependency(origin);
  if (edgeWaf) edge.addStackDependency(edgeWaf);
  return { edge, ...(edgeWaf ? { edgeWaf } : {}) };
}

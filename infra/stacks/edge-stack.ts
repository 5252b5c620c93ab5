import { CfnOutput, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CloudFrontEdge } from '../constructs/cloudfront-edge/index.ts';
import { EdgeWebAcl } from '../constructs/cloudfront-waf/index.ts';
import { EdgeTokenRotation } from '../constructs/edge-token-rotation/index.ts';
import type { PublicRoute } from '../constructs/origin-api/routes.ts';
import { assertStage, cloudFrontDistributionIdParameter, namePrefix, secretNames } from '../naming.ts';

/** Props of {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  readonly stage: string;
  /** The origin stack's API. */
  readonly api: RestApi;
  /** The data stack's edge token, which the API's authorizer checks. */
  readonly edgeToken: ISecret;
  /** Entry file of the token's rotation and sync function (`origin/edge-token-lambda.ts`). */
  readonly tokenEntry: string;
  /** Roles of the origin's functions, whose outbox invalidates. */
  readonly purgers: readonly IRole[];
  /** The routes CloudFront caches. @default the API's public routes */
  readonly publicRoutes?: readonly PublicRoute[];
  /** A CLOUDFRONT web ACL from us-east-1 (`EdgeWafStack`). @default one here, if this stack is in us-east-1 */
  readonly webAclArn?: string;
}

/**
 * `Strata-<stage>-Edge` (`-c edge=cloudfront`): CloudFront in front of the origin's API instead
 * of the Cloudflare Worker, with AWS WAF, the distribution id the origin's purges read, and the
 * edge token's rotation. Deployed after the origin stack, in the stage's region.
 */
export class EdgeStack extends Stack {
  readonly edge: CloudFrontEdge;
  readonly token: EdgeTokenRotation;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    assertStage(props.stage, 'EdgeStack');
    const prefix = namePrefix(props.stage);
    let webAclArn = props.webAclArn;
    if (!webAclArn) {
      if (this.region !== 'us-east-1')
        throw new Error(`EdgeStack: outside us-east-1 (${this.region}) the web ACL comes from an EdgeWafStack in us-east-1 (webAclArn)`);
      webAclArn = new EdgeWebAcl(this, 'Waf', { namePrefix: prefix }).webAcl.attrArn;
    }

    this.edge = new CloudFrontEdge(this, 'CloudFront', {
      api: props.api,
      // A dynamic reference, resolved by CloudFormation: the value is in no template.
      edgeToken: SecretValue.secretsManager(secretNames.edgeOriginToken(props.stage)),
      namePrefix: prefix,
      distributionIdParameterName: cloudFrontDistributionIdParameter(props.stage),
      purgers: props.purgers,
      webAclArn,
      ...(props.publicRoutes ? { publicRoutes: props.publicRoutes } : {}),
    });
    this.token = new EdgeTokenRotation(this, 'EdgeToken', {
      entry: props.tokenEntry,
      secret: props.edgeToken,
      distribution: this.edge.distribution,
      serviceName: `${prefix}-edge-token`,
    });

    new CfnOutput(this, 'EdgeUrl', { value: `https://${this.edge.distribution.distributionDomainName}`, description: 'Clients call the API here' });
    new CfnOutput(this, 'DistributionId', { value: this.edge.distribution.distributionId });
  }
}

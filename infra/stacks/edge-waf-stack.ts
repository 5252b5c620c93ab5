import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EdgeWebAcl } from '../constructs/cloudfront-waf/index.ts';
import { assertStage, namePrefix } from '../naming.ts';

/** Props of {@link EdgeWafStack}. */
export interface EdgeWafStackProps extends StackProps {
  readonly stage: string;
  /** @default the Worker's 600 */
  readonly requestsPerMinute?: number;
}

/**
 * `Strata-<stage>-EdgeWaf`: the CloudFront edge's AWS WAF web ACL, in us-east-1 as AWS WAF
 * requires for CloudFront, when the stage lives in another region (otherwise the edge stack
 * holds it). Its ARN reaches the edge stack as a cross-region reference.
 */
export class EdgeWafStack extends Stack {
  readonly webAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    assertStage(props.stage, 'EdgeWafStack');
    if (this.region !== 'us-east-1') throw new Error(`EdgeWafStack: AWS WAF for CloudFront lives in us-east-1, got ${this.region}`);
    this.webAcl = new EdgeWebAcl(this, 'Waf', {
      namePrefix: namePrefix(props.stage),
      ...(props.requestsPerMinute ? { requestsPerMinute: props.requestsPerMinute } : {}),
    });
    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.webAcl.attrArn });
  }
}

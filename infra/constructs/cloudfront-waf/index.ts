import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as d from './defaults.ts';

/** Props of {@link EdgeWebAcl}. */
export interface EdgeWebAclProps {
  /** `strata-<stage>`: the web ACL's name and metric prefix. */
  readonly namePrefix: string;
  /** Requests per client address per minute on `/v1/…`. @default 600, the Worker's default */
  readonly requestsPerMinute?: number;
}

/**
 * AWS WAF for the CloudFront edge (scope CLOUDFRONT: the stack must be in us-east-1). A
 * rate-based rule stands in for the Worker's per-address limit: 429 `rate_limited` with
 * `Retry-After`, in Strata's error shape. Then the AWS managed common rule set, except its body
 * size rule, which only counts: the origin sets its own limit. The Worker's per-tenant quota has
 * no WAF counterpart (it needs the origin's confirmation of a member's session).
 */
export class EdgeWebAcl extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const limit = props.requestsPerMinute ?? d.DEFAULT_REQUESTS_PER_MINUTE;
    if (!Number.isInteger(limit) || limit < d.MIN_RATE_LIMIT || limit > d.MAX_RATE_LIMIT) {
      throw new Error(`EdgeWebAcl: requestsPerMinute must be an integer from ${d.MIN_RATE_LIMIT} to ${d.MAX_RATE_LIMIT} (AWS WAF's bounds), got ${limit}`);
    }
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${props.namePrefix}-${name}` });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-edge`,
      description: 'Strata CloudFront edge: per-address rate limit, AWS managed common rules',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('edge'),
      customResponseBodies: { 'rate-limited': { contentType: 'APPLICATION_JSON', content: d.RATE_LIMITED_BODY } },
      rules: [
        {
          name: 'per-address-rate-limit',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit,
              evaluationWindowSec: 60,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/v1/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          action: {
            block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited', responseHeaders: [{ name: 'retry-after', value: '60' }] } },
          },
          visibilityConfig: visibility('rate-limit'),
        },
        {
          name: d.COMMON_RULE_SET,
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: d.COMMON_RULE_SET,
              ruleActionOverrides: [{ name: d.BODY_SIZE_RULE, actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('common-rules'),
        },
      ],
    });
  }
}

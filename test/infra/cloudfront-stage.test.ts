/**
 * A stage with `-c edge=cloudfront`, as `infra/app.ts` builds it: cdk-nag clean, AWS WAF in
 * us-east-1, the origin wired to invalidate instead of calling the Worker, no stage cache, and
 * the edge token rotated with CloudFront following.
 */
import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { cloudFrontDistributionIdParameter } from '../../infra/naming.ts';
import { acknowledgements, nagFindings, resources, strataStage } from './support.ts';

const cloudfront = (context: Record<string, string> = {}) => strataStage({ edge: 'cloudfront', ...context });
const statementsOf = (template: Template) => resources(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.PolicyDocument.Statement as Record<string, any>[]);

describe('a Strata stage with edge=cloudfront', () => {
  it.each([
    ['dev', 'us-east-1'],
    ['production', 'eu-west-1'],
  ])('passes the cdk-nag AwsSolutions pack with no unacknowledged finding (%s in %s)', (stage, region) => {
    const { app } = cloudfront({ stage, region });
    expect(nagFindings(app)).toEqual([]);
  });

  it('acknowledges only what it must, each with a written reason', () => {
    const { app, edge } = cloudfront();
    const ours = acknowledgements(app).filter((a) => a.path.startsWith(`${edge!.node.path}/`) && !a.id.startsWith('CloudFormation-Validate::'));
    expect([...new Set(ours.map((a) => a.id))].sort()).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-S1',
    ]);
    for (const { id, reason, path } of ours) expect(reason.length, `${id} at ${path}`).toBeGreaterThan(40);
  });

  it('puts AWS WAF in front: the managed common rules, and a per-address rate limit answering 429 in Strata’s shape', () => {
    const { edge } = cloudfront();
    const template = Template.fromStack(edge!);
    const [[aclId, acl]] = resources(template, 'AWS::WAFv2::WebACL') as [[string, Record<string, any>]];
    expect(acl).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const [rate, common] = acl.Rules as Record<string, any>[];
    expect(rate!.Statement.RateBasedStatement).toEqual({
      Limit: 600,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'IP',
      ScopeDownStatement: {
        ByteMatchStatement: {
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/v1/',
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
    });
    expect(rate!.Action.Block.CustomResponse).toEqual({
      ResponseCode: 429,
      CustomResponseBodyKey: 'rate-limited',
      ResponseHeaders: [{ Name: 'retry-after', Value: '60' }],
    });
    const body = JSON.parse(acl.CustomResponseBodies['rate-limited'].Content);
    expect(body.error).toMatchObject({ code: 'rate_limited', requestId: '' });
    expect(common!.Statement.ManagedRuleGroupStatement).toEqual({
      VendorName: 'AWS',
      Name: 'AWSManagedRulesCommonRuleSet',
      RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
    });
    const distribution = resources(template, 'AWS::CloudFront::Distribution')[0]![1];
    expect(distribution.DistributionConfig.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
  });

  it('keeps AWS WAF in us-east-1 when the stage is elsewhere, and hands its ARN across regions', () => {
    const { edge, edgeWaf } = cloudfront({ region: 'eu-west-1' });
    expect(edgeWaf!.region).toBe('us-east-1');
    expect(edge!.region).toBe('eu-west-1');
    Template.fromStack(edgeWaf!).hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', Name: 'strata-dev-edge' });
    const template = Template.fromStack(edge!);
    expect(resources(template, 'AWS::WAFv2::WebACL')).toEqual([]);
    const distribution = resources(template, 'AWS::CloudFront::Distribution')[0]![1];
    expect(JSON.stringify(distribution.DistributionConfig.WebACLId)).toMatch(/ExportsReader/);
    expect(edge!.dependencies.map((stack) => stack.stackName).sort()).toEqual(['Strata-dev-Data', 'Strata-dev-EdgeWaf', 'Strata-dev-Origin']);
  });

  it('lets the origin invalidate instead of calling the Worker: the distribution id from SSM, CreateInvalidation on it alone', () => {
    const { origin, edge } = cloudfront();
    const originTemplate = Template.fromStack(origin);
    const functions = resources(originTemplate, 'AWS::Lambda::Function').filter(([, p]) =>
      ['Strata origin API', 'Strata purge-outbox deliverer'].includes(p.Description),
    );
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      expect(fn.Environment.Variables.CLOUDFRONT_DISTRIBUTION_ID_PARAMETER).toBe('/strata/dev/cloudfront-distribution-id');
      expect(fn.Environment.Variables).not.toHaveProperty('PURGE_URL');
    }
    // No deploy-time read of the Worker's purge URL, which a CloudFront stage never writes.
    expect(JSON.stringify(originTemplate.toJSON().Parameters ?? {})).not.toContain('edge-purge-url');
    const edgeTemplate = Template.fromStack(edge!);
    edgeTemplate.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/strata/dev/cloudfront-distribution-id',
      Value: { Ref: Match.stringLikeRegexp('Distribution') },
    });
    const [[, grants]] = resources(edgeTemplate, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('CloudFrontPurgerGrants')) as [
      [string, Record<string, any>],
    ];
    expect(grants.PolicyDocument.Statement.map((s: Record<string, any>) => s.Action)).toEqual(['cloudfront:CreateInvalidation', 'ssm:GetParameter']);
    expect(JSON.stringify(grants.PolicyDocument.Statement[0].Resource)).toMatch(/:distribution\/",\{"Ref":"CloudFrontDistribution/);
    expect(JSON.stringify(grants.Roles)).toMatch(/OriginHandlerServiceRole.*OutboxDelivererHandlerServiceRole/);
  });

  it('runs no stage cache: CloudFront cannot send the purge version it keys on; Origin Shield is layer 2', () => {
    const template = Template.fromStack(cloudfront().origin);
    const [[, stage]] = resources(template, 'AWS::ApiGateway::Stage') as [[string, Record<string, any>]];
    expect(stage.CacheClusterEnabled).toBe(false);
    expect(stage).not.toHaveProperty('CacheClusterSize');
    for (const setting of stage.MethodSettings as Record<string, any>[]) expect(setting.CachingEnabled).not.toBe(true);
    // The Worker's stage keeps its cache.
    expect(resources(Template.fromStack(strataStage().origin), 'AWS::ApiGateway::Stage')[0]![1].CacheClusterEnabled).toBe(true);
  });

  it('rotates the edge token every 30 days and moves CloudFront to it every five minutes, touching only that distribution', () => {
    const { edge } = cloudfront();
    const template = Template.fromStack(edge!);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { 'Fn::ImportValue': Match.stringLikeRegexp('Strata-dev-Data:.*EdgeToken') },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    const fn = resources(template, 'AWS::Lambda::Function').find(([, p]) => p.Description?.startsWith('Strata edge token'))![1];
    expect(fn.Environment.Variables).toMatchObject({
      EDGE_TOKEN_SETTLE_SECONDS: '600',
      CLOUDFRONT_DISTRIBUTION_ID: { Ref: expect.stringMatching(/^CloudFrontDistribution/) },
    });
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const cloudfrontGrant = statementsOf(template).find((s) => JSON.stringify(s.Action).includes('UpdateDistribution'))!;
    expect(cloudfrontGrant.Action).toEqual(['cloudfront:GetDistribution', 'cloudfront:UpdateDistribution']);
    expect(JSON.stringify(cloudfrontGrant.Resource)).toMatch(/:distribution\/",\{"Ref":"CloudFrontDistribution/);
  });

  it('tells the operator where clients call, in outputs the runbook names', () => {
    const outputs = Object.keys(Template.fromStack(cloudfront().edge!).toJSON().Outputs);
    const runbook = readFileSync('docs/deploy-cloudfront.md', 'utf8');
    for (const name of ['EdgeUrl', 'DistributionId']) {
      expect(outputs).toContain(name);
      expect(runbook).toContain(`\`${name}\``);
    }
    expect(runbook).toContain(cloudFrontDistributionIdParameter('<stage>'));
    expect(runbook).toContain('npx cdk deploy --all -c stage=<stage> -c edge=cloudfront');
  });
});

/** OriginFunction: runtime, VPC placement, logs, and the concurrency settings it exposes. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { OriginFunction, type OriginFunctionProps } from '../../infra/constructs/origin-function/index.ts';
import { constructStack, resources } from './support.ts';

function build(props: Partial<OriginFunctionProps> = {}, inVpc = true) {
  const { stack, vpc } = constructStack();
  const securityGroup = new SecurityGroup(stack, 'Sg', { vpc });
  const origin = new OriginFunction(stack, 'Origin', {
    entry: 'origin/lambda.ts',
    environment: { STRATA_TEST: 'yes' },
    ...(inVpc ? { vpc, vpcSubnets: { subnetGroupName: 'app' }, securityGroups: [securityGroup] } : {}),
    ...props,
  });
  return { origin, stack, template: Template.fromStack(stack) };
}

describe('OriginFunction', () => {
  it('is a Node 24 arm64 function with JSON logs kept a month, in the given subnets', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 10,
      LoggingConfig: { LogFormat: 'JSON' },
      Environment: { Variables: { STRATA_TEST: 'yes', NODE_OPTIONS: Match.absent() } },
      VpcConfig: {
        SubnetIds: [{ Ref: Match.stringLikeRegexp('appSubnet1') }, { Ref: Match.stringLikeRegexp('appSubnet2') }],
        SecurityGroupIds: Match.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('invokes the function itself unless provisioned concurrency asks for an alias', () => {
    const { origin } = build();
    expect(origin.target).toBe(origin.function);
    expect(resources(build().template, 'AWS::Lambda::Alias')).toHaveLength(0);
  });

  it('reserves concurrency and provisions instances on a live alias', () => {
    const { origin, template } = build({ reservedConcurrentExecutions: 100, provisionedConcurrentExecutions: 5 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 100 });
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 } });
    expect(origin.target).not.toBe(origin.function);
  });

  it('refuses impossible concurrency and VPC settings without a VPC', () => {
    expect(() => build({ reservedConcurrentExecutions: 0 })).toThrow(
      /reservedConcurrentExecutions must be a positive integer \(0 would stop the function\), got 0/,
    );
    expect(() => build({ provisionedConcurrentExecutions: -1 })).toThrow(/provisionedConcurrentExecutions must be a non-negative integer/);
    expect(() => build({ reservedConcurrentExecutions: 5, provisionedConcurrentExecutions: 10 })).toThrow(
      /provisionedConcurrentExecutions \(10\) cannot exceed reservedConcurrentExecutions \(5\)/,
    );
    expect(() => build({ vpcSubnets: { subnetGroupName: 'app' } }, false)).toThrow(/vpcSubnets and securityGroups need vpc/);
  });
});

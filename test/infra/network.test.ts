/** StrataNetwork: subnet tiers, flow logs, the Lambdas' security group, the Secrets Manager endpoint. */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StrataNetwork } from '../../infra/constructs/network/index.ts';
import { freshApp, resources } from './support.ts';

function build(props: ConstructorParameters<typeof StrataNetwork>[2] = {}) {
  const stack = new Stack(freshApp(), 'Test', { env: { region: 'eu-west-1' } });
  const network = new StrataNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], ...props });
  return { network, template: Template.fromStack(stack) };
}

describe('StrataNetwork', () => {
  it('has public, app (with egress) and isolated data subnets in every AZ', () => {
    const { template } = build();
    const subnets = resources(template, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(9);
    const tiers = subnets.map(([, p]) => p.Tags.find((tag: { Key: string }) => tag.Key === 'aws-cdk:subnet-name').Value);
    expect(tiers.sort()).toEqual(['app', 'app', 'app', 'data', 'data', 'data', 'public', 'public', 'public']);
    // Data subnets have no route to the internet at all.
    const dataTables = resources(template, 'AWS::EC2::RouteTable')
      .filter(([id]) => id.includes('data'))
      .map(([id]) => id);
    expect(dataTables).toHaveLength(3);
    for (const [, route] of resources(template, 'AWS::EC2::Route')) expect(dataTables).not.toContain(route.RouteTableId.Ref);
  });

  it('puts one NAT gateway per AZ by default, fewer on request', () => {
    expect(resources(build().template, 'AWS::EC2::NatGateway')).toHaveLength(3);
    expect(resources(build({ natGateways: 1 }).template, 'AWS::EC2::NatGateway')).toHaveLength(1);
  });

  it('logs all VPC traffic to CloudWatch with a retention', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('gives the Lambdas a security group whose only way out is HTTPS', () => {
    const { template, network } = build();
    const id = Stack.of(network).getLogicalId(network.lambdaSecurityGroup.node.defaultChild as never);
    const [, group] = resources(template, 'AWS::EC2::SecurityGroup').find(([logicalId]) => logicalId === id)!;
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    expect(group.SecurityGroupIngress).toBeUndefined();
  });

  it('reaches Secrets Manager through a private endpoint that admits HTTPS from the VPC only', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.40.0.0/16', FromPort: 443, ToPort: 443 })],
    });
  });

  it('refuses a single AZ and more NAT gateways than AZs', () => {
    expect(() => build({ availabilityZones: ['eu-west-1a'] })).toThrow(/at least two AZs/);
    expect(() => build({ natGateways: 4 })).toThrow(/natGateways must be between 1 and the number of AZs \(3\), got 4/);
    expect(() => build({ natGateways: 0 })).toThrow(/natGateways must be between 1/);
  });
});

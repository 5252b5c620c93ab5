/** OriginDatabase: Aurora PostgreSQL Serverless v2 behind RDS Proxy, with a rotated secret. */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OriginDatabase, type OriginDatabaseProps } from '../../infra/constructs/database/index.ts';
import { constructStack, resources } from './support.ts';

function build(props: Partial<OriginDatabaseProps> = {}) {
  const { stack, vpc } = constructStack();
  const database = new OriginDatabase(stack, 'Database', {
    vpc,
    subnets: { subnetGroupName: 'data' },
    rotationSubnets: { subnetGroupName: 'app' },
    clusterIdentifier: 'strata-test-db',
    secretName: 'strata/test/database-admin',
    ...props,
  });
  return { database, stack, template: Template.fromStack(stack) };
}

describe('OriginDatabase', () => {
  it('is Aurora PostgreSQL Serverless v2: encrypted, IAM-enabled, protected from deletion, logs exported', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: Match.stringLikeRegexp('^17\\.'),
      DBClusterIdentifier: 'strata-test-db',
      DatabaseName: 'strata',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      EnableCloudwatchLogsExports: ['postgresql'],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/cluster/strata-test-db/postgresql', RetentionInDays: 30 });
    const instances = resources(template, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(2);
    for (const [, instance] of instances) expect(instance.DBInstanceClass).toBe('db.serverless');
  });

  it('puts RDS Proxy in front, requiring TLS and IAM authentication, reading the admin secret', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      DBProxyName: 'strata-test-db-proxy',
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED' })],
    });
  });

  it('rotates the admin secret every 30 days from the app subnets', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'strata/test/database-admin' });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ functionName: Match.anyValue(), vpcSubnetIds: Match.anyValue() }),
    });
  });

  it('lets only the proxy and the rotation function reach the cluster; clients reach the proxy by rule', () => {
    const { template } = build();
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress');
    const sources = ingress.map(([, rule]) => rule.SourceSecurityGroupId['Fn::GetAtt'][0] as string);
    expect(sources.sort()).toEqual([expect.stringMatching(/^DatabaseClusterRotationSingleUserSecurityGroup/), expect.stringMatching(/^DatabaseProxySecurityGroup/)]);
    for (const [, rule] of ingress) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.FromPort).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Port'] });
    }
    expect(ingress).toHaveLength(2);
  });

  it('gives clients a password-free URL through the proxy', () => {
    const { database, stack } = build();
    const url = stack.resolve(database.connectionUrl) as { 'Fn::Join': [string, unknown[]] };
    const parts = url['Fn::Join'][1];
    expect(parts[0]).toBe('postgres://strata@');
    expect(parts[1]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Proxy/), 'Endpoint'] });
    expect(parts[2]).toBe(':5432/strata?sslmode=require');
  });

  it('scales readers and capacity by props', () => {
    const { template } = build({ readers: 0, minCapacity: 1, maxCapacity: 16 });
    expect(resources(template, 'AWS::RDS::DBInstance')).toHaveLength(1);
    template.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 16 } });
  });

  it.each([
    [{ minCapacity: 0 }, /0\.5 ≤ minCapacity ≤ maxCapacity ≤ 256 in steps of 0\.5, got 0–4/],
    [{ minCapacity: 8, maxCapacity: 4 }, /got 8–4/],
    [{ maxCapacity: 3.3 }, /in steps of 0\.5/],
    [{ readers: 16 }, /readers must be an integer from 0 to 15, got 16/],
    [{ rotationInterval: Duration.days(400) }, /rotationInterval must be 1–365 days, got 400/],
    [{ backupRetention: Duration.days(40) }, /backupRetention must be 1–35 whole days, got 40/],
  ])('refuses %o', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

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

  it('puts RDS Proxy in front, requiring TLS and IAM end to end for the app role, with no secret', () => {
    const { template } = build();
    const [, proxy] = resources(template, 'AWS::RDS::DBProxy')[0]!;
    expect(proxy).toMatchObject({ DBProxyName: 'strata-test-db-proxy', EngineFamily: 'POSTGRESQL', RequireTLS: true, DefaultAuthScheme: 'IAM_AUTH' });
    // No secret: the owner cannot be reached through the proxy at all.
    expect(proxy.Auth).toBeUndefined();
    const roleId = proxy.RoleArn['Fn::GetAtt'][0] as string;
    const statements = resources(template, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap(([, p]) => p.PolicyDocument.Statement);
    expect(statements.map((s: any) => s.Action)).toEqual(['rds-db:connect']);
    const resource = JSON.stringify(statements[0].Resource);
    expect(resource).toMatch(/:dbuser:",\{"Fn::GetAtt":\["DatabaseCluster[A-F0-9]+","DBClusterResourceId"\]\},"\/strata_app"/);
  });

  it('rotates the admin secret every 30 days from the app subnets', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'strata/test/database-admin' });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ functionName: Match.anyValue(), vpcSubnetIds: Match.anyValue() }),
    });
  });

  it('lets only the proxy, the rotation function and the migrator reach the cluster; clients reach the proxy by rule', () => {
    const { template } = build();
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress');
    const sources = ingress.map(([, rule]) => rule.SourceSecurityGroupId['Fn::GetAtt'][0] as string);
    expect(sources.sort()).toEqual([
      expect.stringMatching(/^DatabaseClusterRotationSingleUserSecurityGroup/),
      expect.stringMatching(/^DatabaseMigratorSecurityGroup/),
      expect.stringMatching(/^DatabaseProxySecurityGroup/),
    ]);
    for (const [, rule] of ingress) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.FromPort).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Port'] });
    }
    expect(ingress).toHaveLength(3);
  });

  it('gives the app role a password-free URL through the proxy, and the owner one to the writer', () => {
    const { database, stack } = build();
    const url = stack.resolve(database.connectionUrl) as { 'Fn::Join': [string, unknown[]] };
    const parts = url['Fn::Join'][1];
    expect(parts[0]).toBe('postgres://strata_app@');
    expect(parts[1]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Proxy/), 'Endpoint'] });
    expect(parts[2]).toBe(':5432/strata?sslmode=require');
    const owner = JSON.stringify(stack.resolve(database.ownerConnectionUrl));
    expect(owner).toMatch(
      /^\{"Fn::Join":\["",\["postgres:\/\/strata@",\{"Fn::GetAtt":\["DatabaseCluster[A-F0-9]+","Endpoint.Address"\]\},":",\{"Fn::GetAtt":\["DatabaseCluster[A-F0-9]+","Endpoint.Port"\]\},"\/strata\?sslmode=require"\]\]\}$/,
    );
    expect(() => build({ appUsername: 'strata' })).toThrow(/appUsername must differ from the owner strata/);
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

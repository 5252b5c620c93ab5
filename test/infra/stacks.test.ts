/**
 * A whole stage as `infra/app.ts` builds it: cdk-nag clean for two environments, the security
 * group paths, the origin's configuration contract, and the per-stage settings.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/stages.ts';
import { loadConfig } from '../../origin/config.ts';
import { acknowledgements, nagFindings, resources, strataStage } from './support.ts';

/** Every acknowledged cdk-nag rule, where and why; a new suppression must be added here. */
const EXPECTED_ACKNOWLEDGEMENTS = [
  'AwsSolutions-AEC6',
  'AwsSolutions-APIG2',
  'AwsSolutions-APIG3',
  'AwsSolutions-COG4',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-L1',
  'AwsSolutions-RDS10',
  'AwsSolutions-RDS11',
  'AwsSolutions-SMG4',
  'AwsSolutions-SNS2',
];

describe('a Strata stage', () => {
  it.each(['dev', 'production'])('passes the cdk-nag AwsSolutions pack with no unacknowledged finding (%s)', (stage) => {
    const { app } = strataStage({ stage });
    expect(nagFindings(app)).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const { app } = strataStage();
    // aws-cdk-lib acknowledges a few of its own CloudFormation-Validate rules; ours are cdk-nag's.
    const all = acknowledgements(app).filter((a) => !a.id.startsWith('CloudFormation-Validate::'));
    expect([...new Set(all.map((a) => a.id))].sort()).toEqual(EXPECTED_ACKNOWLEDGEMENTS);
    for (const { id, reason, path } of all) expect(reason.length, `${id} at ${path}`).toBeGreaterThan(40);
  });

  it('opens only Lambda → Redis (6379, both groups) and Lambda → RDS Proxy (5432); the cluster admits the proxy, rotation and migrator only', () => {
    const { data } = strataStage();
    const template = Template.fromStack(data);
    const groups = new Map(resources(template, 'AWS::EC2::SecurityGroup').map(([id, p]) => [id, p]));
    const lambda = [...groups.keys()].find((id) => id.startsWith('NetworkLambdaSecurityGroup'))!;
    const rules = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => ({
      to: rule.GroupId['Fn::GetAtt'][0] as string,
      from: rule.SourceSecurityGroupId?.['Fn::GetAtt'][0] as string | undefined,
      port: rule.FromPort,
    }));
    const fromLambda = rules.filter((rule) => rule.from === lambda).map((rule) => [rule.to.replace(/[A-F0-9]{8}$/, ''), rule.port]);
    expect(fromLambda.sort()).toEqual([
      ['CacheSecurityGroup', 6379],
      ['DatabaseProxySecurityGroup', 5432],
      ['SessionsSecurityGroup', 6379],
    ]);
    const intoCluster = rules.filter((rule) => rule.to.startsWith('DatabaseClusterSecurityGroup')).map((rule) => rule.from!.replace(/[A-F0-9]{8}$/, ''));
    expect(intoCluster.sort()).toEqual(['DatabaseClusterRotationSingleUserSecurityGroup', 'DatabaseMigratorSecurityGroup', 'DatabaseProxySecurityGroup']);
    // Nothing else is open: no CIDR ingress except HTTPS into the Secrets Manager endpoint.
    for (const [, group] of groups) {
      for (const rule of group.SecurityGroupIngress ?? []) expect(rule).toMatchObject({ CidrIp: '10.40.0.0/16', FromPort: 443, ToPort: 443 });
    }
    expect(rules.filter((rule) => !rule.from)).toEqual([]);
  });

  it('configures the origin through its environment, which names its secrets but holds none', () => {
    const { origin } = strataStage();
    const template = Template.fromStack(origin);
    const fn = resources(template, 'AWS::Lambda::Function').find(([, p]) => p.Description === 'Strata origin API')![1];
    const env = fn.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual([
      'CACHE_ENCRYPTION_KEYS_SECRET_ARN',
      'DATABASE_IAM_AUTH',
      'DATABASE_MIGRATE',
      'DATABASE_URL',
      'METRICS_SERVICE_NAME',
      'OPERATOR_TOKEN_SECRET_ARN',
      'POWERTOOLS_SERVICE_NAME',
      'PURGE_SECRET_ARN',
      'PURGE_URL',
      'REDIS_CLUSTER_NODES',
      'REDIS_PASSWORD_SECRET_ARN',
      'REDIS_SESSIONS_CLUSTER_NODES',
      'REDIS_TLS',
      'REDIS_USERNAME',
    ]);
    expect(env).toMatchObject({
      DATABASE_IAM_AUTH: 'true',
      DATABASE_MIGRATE: 'false',
      REDIS_TLS: 'true',
      REDIS_USERNAME: 'strata-app',
      METRICS_SERVICE_NAME: 'strata-dev-origin',
      POWERTOOLS_SERVICE_NAME: 'strata-dev-origin',
    });
    // No value, and no dynamic reference CloudFormation would resolve into a value, anywhere in it.
    const text = JSON.stringify(env);
    expect(text).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure|SecretString/);
    expect(JSON.stringify(env.REDIS_PASSWORD_SECRET_ARN)).toMatch(/^\{"Fn::ImportValue":"Strata-dev-Data:[^"]*CacheAccessAppCredentials/);
    expect(env.PURGE_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^PurgeSecret[A-F0-9]+$/) });
    expect(env.CACHE_ENCRYPTION_KEYS_SECRET_ARN).toBe('strata/dev/cache-encryption-keys');
    expect(JSON.stringify(env.OPERATOR_TOKEN_SECRET_ARN)).toMatch(/^\{"Fn::ImportValue":"Strata-dev-Data:[^"]*OperatorToken/);
    expect(JSON.stringify(env.DATABASE_URL)).toMatch(
      /"postgres:\/\/strata_app@",\{"Fn::ImportValue":"Strata-dev-Data:[^"]*Proxy[^"]*Endpoint[^"]*"\},":5432\/strata\?sslmode=require"/,
    );
    expect(JSON.stringify(env.REDIS_CLUSTER_NODES)).toMatch(/Cache[^"]*ConfigurationEndPointAddress.*":".*Cache[^"]*ConfigurationEndPointPort/);
    expect(JSON.stringify(env.REDIS_SESSIONS_CLUSTER_NODES)).toMatch(/Sessions[^"]*ConfigurationEndPointAddress/);
    // The edge's purge URL is read from SSM when CloudFormation deploys.
    const parameter = template.toJSON().Parameters[(env.PURGE_URL as { Ref: string }).Ref];
    expect(parameter).toEqual({ Type: 'AWS::SSM::Parameter::Value<String>', Default: '/strata/dev/edge-purge-url' });
  });

  it('gives every function an environment its entry accepts as it will be on Lambda', () => {
    // CloudFormation values become placeholders of the right shape: ports numbers, others hosts.
    const render = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const v = value as Record<string, any>;
      if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
      return /Port/.test(JSON.stringify(v)) ? '6379' : 'resolved.example.internal';
    };
    const template = Template.fromStack(strataStage().origin);
    // The authorizer reads only its own two variables (origin/gateway/), not the origin's config.
    const functions = resources(template, 'AWS::Lambda::Function').filter(
      ([, p]) => String(p.Description ?? '').startsWith('Strata') && p.Description !== 'Strata edge-token authorizer',
    );
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      const env = Object.fromEntries(Object.entries(fn.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, render(v)]));
      // The purge URL is an SSM parameter CloudFormation reads at deploy time.
      if (env.PURGE_URL) env.PURGE_URL = 'https://edge.example.com/_strata/purge';
      const purpose = fn.Description === 'Strata database migrator (owner)' ? 'migrator' : 'api';
      const config = loadConfig({ ...env, AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_REGION: 'us-east-1' }, { purpose });
      expect(config.database.kind, fn.Description).toBe('postgres');
    }
  });

  it('lets the origin read exactly its four secrets, and nothing else of Secrets Manager', () => {
    const template = Template.fromStack(strataStage().origin);
    const functions = resources(template, 'AWS::Lambda::Function');
    const secretStatements = (description: string) => {
      const role = functions.find(([, p]) => p.Description === description)![1].Role['Fn::GetAtt'][0] as string;
      return resources(template, 'AWS::IAM::Policy')
        .filter(([, p]) => p.Roles.some((r: { Ref: string }) => r.Ref === role))
        .flatMap(([, p]) => p.PolicyDocument.Statement)
        .filter((s: any) => JSON.stringify(s.Action).includes('secretsmanager:'));
    };
    const secrets = secretStatements('Strata origin API');
    for (const statement of secrets) expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    const resourcesText = secrets.flatMap((s: any) => [s.Resource].flat()).map((r: unknown) => JSON.stringify(r));
    expect(resourcesText).toHaveLength(4);
    expect(resourcesText.find((r: string) => r.includes('CacheAccessAppCredentials'))).toBeDefined();
    expect(resourcesText.find((r: string) => /"Ref":"PurgeSecret/.test(r))).toBeDefined();
    expect(resourcesText.find((r: string) => r.includes(':secret:strata/dev/cache-encryption-keys-??????'))).toBeDefined();
    expect(resourcesText.find((r: string) => /"Fn::ImportValue":"Strata-dev-Data:[^"]*OperatorToken/.test(r))).toBeDefined();
    // The outbox deliverer serves no HTTP: neither the operator token's ARN nor a right to read it.
    const deliverer = functions.find(([, p]) => p.Description === 'Strata purge-outbox deliverer')![1];
    expect(deliverer.Environment.Variables).not.toHaveProperty('OPERATOR_TOKEN_SECRET_ARN');
    expect(JSON.stringify(secretStatements('Strata purge-outbox deliverer'))).not.toContain('OperatorToken');
  });

  it('generates the operator token in the data stack, named for operators to read', () => {
    const dataTemplate = Template.fromStack(strataStage().data);
    dataTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'strata/dev/operator-token',
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    expect(dataTemplate.toJSON().Outputs.OperatorTokenSecretName.Value).toBe('strata/dev/operator-token');
  });

  it('lets the origin sign in to RDS Proxy as the app role only, never as the owner', () => {
    const template = Template.fromStack(strataStage().origin);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect', Effect: 'Allow' })]) },
    });
    const statements = resources(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.PolicyDocument.Statement);
    const connects = statements.filter((s: any) => s.Action === 'rds-db:connect');
    expect(connects.length).toBeGreaterThan(0);
    for (const connect of connects) {
      expect(JSON.stringify(connect.Resource)).toMatch(/\/strata_app"\]\]\}$/);
      expect(JSON.stringify(connect.Resource)).not.toMatch(/dbuser:\*|"\*"/);
    }
  });

  it('migrates as the owner, straight to the writer, before the origin gets new code; only the migrator reads the owner’s password', () => {
    const { origin } = strataStage();
    const template = Template.fromStack(origin);
    const functions = resources(template, 'AWS::Lambda::Function');
    const [migratorId, migrator] = functions.find(([, p]) => p.Description === 'Strata database migrator (owner)')!;
    const env = migrator.Environment.Variables;
    expect(JSON.stringify(env.DATABASE_URL)).toMatch(
      /"postgres:\/\/strata@",\{"Fn::ImportValue":"Strata-dev-Data:[^"]*DatabaseCluster[^"]*Endpoint[^"]*"\},":",\{"Fn::ImportValue":"[^"]*Port[^"]*"\},"\/strata\?sslmode=require"/,
    );
    expect(JSON.stringify(env.DATABASE_PASSWORD_SECRET_ARN)).toMatch(/DatabaseClusterSecretAttachment|DatabaseSecret/);
    expect(env).toMatchObject({ DATABASE_APP_ROLE: 'strata_app', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' });
    expect(env).not.toHaveProperty('DATABASE_IAM_AUTH');
    expect(JSON.stringify(migrator.VpcConfig.SecurityGroupIds)).toContain('DatabaseMigratorSecurityGroup');

    // The owner's secret: readable by the migrator's role, and by no other role of the stack.
    const readers = resources(template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.PolicyDocument).includes(JSON.stringify(env.DATABASE_PASSWORD_SECRET_ARN)),
    );
    expect(readers).toHaveLength(1);
    expect(readers[0]![1].Roles).toEqual([{ Ref: migrator.Role['Fn::GetAtt'][0] }]);
    expect(readers[0]![1].PolicyDocument.Statement.find((s: any) => JSON.stringify(s).includes('secretsmanager')).Action).toBe('secretsmanager:GetSecretValue');

    // A trigger runs it on every deploy that changes it, before the origin function is touched.
    const [triggerId, trigger] = resources(template, 'Custom::Trigger')[0]!;
    const json = template.toJSON().Resources as Record<string, { DependsOn?: string[]; Properties?: Record<string, any> }>;
    const version = json[trigger.HandlerArn.Ref]!.Properties!;
    expect(version.FunctionName).toEqual({ Ref: migratorId });
    const originId = functions.find(([, p]) => p.Description === 'Strata origin API')![0];
    expect(json[originId]!.DependsOn).toContain(triggerId);
  });

  it('publishes the origin URL and the purge secret name for the edge', () => {
    const outputs = Template.fromStack(strataStage().origin).toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['OriginUrl', 'PurgeSecretName', 'ApiKeyIds', 'Dashboard', 'AlarmTopic']));
  });

  it('lets only the edge reach the API: a token the data stack generates, checked by an authorizer on every method', () => {
    const { data, origin } = strataStage();
    const dataTemplate = Template.fromStack(data);
    // In the data stack, deployed first: the Worker can hold the token before anything enforces it.
    dataTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'strata/dev/edge-origin-token',
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    expect(dataTemplate.toJSON().Outputs.EdgeTokenSecretName.Value).toBe('strata/dev/edge-origin-token');
    const template = Template.fromStack(origin);
    const [[authorizerId, authorizer]] = resources(template, 'AWS::ApiGateway::Authorizer') as [[string, Record<string, any>]];
    expect(authorizer).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.x-strata-edge-token' });
    const fn = resources(template, 'AWS::Lambda::Function').find(([, p]) => p.Description === 'Strata edge-token authorizer')![1];
    expect(JSON.stringify(authorizer.AuthorizerUri)).toContain('EdgeAuthorizerFunction');
    expect(fn.Handler).toBe('index.handler');
    for (const [, method] of resources(template, 'AWS::ApiGateway::Method'))
      expect(method).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
  });

  it('redelivers purges by default: the outbox deliverer runs every minute, one at a time, with the origin’s configuration', () => {
    const { origin } = strataStage();
    expect(stageConfig({}).outboxDelivererEntry).toBe('origin/outbox-lambda.ts');
    const template = Template.fromStack(origin);
    const functions = resources(template, 'AWS::Lambda::Function');
    const [delivererId, deliverer] = functions.find(([, p]) => p.Description === 'Strata purge-outbox deliverer')!;
    const { OPERATOR_TOKEN_SECRET_ARN, ...originEnv } = functions.find(([, p]) => p.Description === 'Strata origin API')![1].Environment.Variables;
    // The same configuration, but the operator API's token, which only the API needs.
    expect(OPERATOR_TOKEN_SECRET_ARN).toBeDefined();
    expect(deliverer.Environment.Variables).toEqual(originEnv);
    expect(deliverer.ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [delivererId, 'Arn'] } })],
    });
    expect(Annotations.fromStack(origin).findWarning('*', Match.stringLikeRegexp('[Oo]utbox'))).toEqual([]);
  });

  it('sizes production up: termination protection, 3 × 2 cache nodes, provisioned origin behind the API', () => {
    const { data, origin } = strataStage({ stage: 'production' });
    expect(data.terminationProtection).toBe(true);
    const dataTemplate = Template.fromStack(data);
    dataTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: 'strata-production-cache',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 2,
      CacheNodeType: 'cache.r7g.xlarge',
    });
    dataTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: 'strata-production-sessions',
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 2,
    });
    expect(resources(dataTemplate, 'AWS::EC2::NatGateway')).toHaveLength(3);
    const originTemplate = Template.fromStack(origin);
    originTemplate.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 } });
    const integrations = resources(originTemplate, 'AWS::ApiGateway::Method').map(([, m]) => JSON.stringify(m.Integration.Uri));
    for (const uri of integrations) expect(uri).toMatch(/OriginLive/);
    originTemplate.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'production', CacheClusterSize: '1.6' });
  });

  it('sends ElastiCache events of both groups to a topic ElastiCache can publish to, with the alarm e-mail subscribed', () => {
    const template = Template.fromStack(strataStage({ alarmEmail: 'ops@example.com' }).data);
    const [topicId, topic] = resources(template, 'AWS::SNS::Topic')[0]!;
    expect(topic.TopicName).toBe('strata-dev-cache-events');
    // ElastiCache marks an encrypted topic inactive.
    expect(topic.KmsMasterKeyId).toBeUndefined();
    for (const [, group] of resources(template, 'AWS::ElastiCache::ReplicationGroup')) expect(group.NotificationTopicArn).toEqual({ Ref: topicId });
    const policy = JSON.stringify(resources(template, 'AWS::SNS::TopicPolicy')[0]![1]);
    expect(policy).toContain('"AWS:SourceOwner"');
    expect(policy).not.toContain('aws:SourceAccount');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
  });

  it('traces requests with X-Ray from the API stage into every function', () => {
    const template = Template.fromStack(strataStage().origin);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    const ours = resources(template, 'AWS::Lambda::Function').filter(([, p]) => String(p.Description ?? '').startsWith('Strata'));
    expect(ours.map(([, p]) => p.Description).sort()).toEqual([
      'Strata database migrator (owner)',
      'Strata edge-token authorizer',
      'Strata origin API',
      'Strata purge-outbox deliverer',
    ]);
    for (const [, fn] of ours) expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('keeps sessions apart from cache data: noeviction for sessions, allkeys-lru for the rest', () => {
    const template = Template.fromStack(strataStage().data);
    const policies = resources(template, 'AWS::ElastiCache::ParameterGroup').map(([, p]) => p.Properties['maxmemory-policy']);
    expect(policies.sort()).toEqual(['allkeys-lru', 'noeviction']);
    const groups = resources(template, 'AWS::ElastiCache::ReplicationGroup');
    expect(groups.map(([, g]) => g.UserGroupIds)).toEqual([['strata-dev-users'], ['strata-dev-users']]);
    expect(new Set(groups.map(([, g]) => g.PreferredMaintenanceWindow)).size).toBe(2);
  });
});

describe('stage settings', () => {
  it('reads tenants and plans, AZs and the alarm e-mail from context', () => {
    const config = stageConfig({
      stage: 'staging',
      tenants: 'acme, initech:premium',
      azs: 'eu-west-1a,eu-west-1b',
      region: 'eu-west-1',
      alarmEmail: 'ops@example.com',
    });
    expect(config.tenants).toEqual([{ tenant: 'acme' }, { tenant: 'initech', plan: 'premium' }]);
    expect(config.network).toEqual({ availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('spreads production over three AZs of its region, and gives other stage names the dev preset', () => {
    expect(stageConfig({ stage: 'production', region: 'eu-central-1' }).network).toEqual({
      availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
      natGateways: 3,
    });
    const personal = stageConfig({ stage: 'alice' });
    expect(personal.cache).toEqual(stageConfig({ stage: 'dev' }).cache);
    expect(personal.tenants).toEqual([{ tenant: 'acme' }, { tenant: 'globex' }]);
    expect(() => stageConfig({ stage: 'Alice' })).toThrow(/cdk context: stage must match/);
  });

  it('refuses an empty tenant list', () => {
    expect(() => strataStage({}, { tenants: [] })).toThrow(/tenants must not be empty/);
  });
});

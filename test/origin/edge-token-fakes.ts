/**
 * Stand-ins for the two AWS services the edge-token upkeep drives, behind aws-sdk-client-mock:
 * a Secrets Manager secret with version stages (moving `AWSCURRENT` leaves `AWSPREVIOUS` on the
 * old version, as the service does) and a CloudFront distribution whose update bumps its ETag
 * and stays `InProgress` until `deploy()`.
 */
import { CloudFrontClient, GetDistributionCommand, PreconditionFailed, UpdateDistributionCommand, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });

/** A secret with versions and stages; `clock()` stamps new versions. */
export function fakeSecret(initial: string, clock: () => number) {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  // A version without a value: staged AWSPENDING by Secrets Manager as a rotation starts.
  const versions = new Map<string, { value: string | undefined; stages: string[]; created: number }>([
    ['v0', { value: initial, stages: ['AWSCURRENT'], created: clock() }],
  ]);
  let passwords = 0;
  const byStage = (stage: string) => [...versions.entries()].find(([, v]) => v.stages.includes(stage));
  const mock = mockClient(client);
  mock.on(GetSecretValueCommand).callsFake((input: { VersionId?: string; VersionStage?: string }) => {
    const found = input.VersionId ? ([input.VersionId, versions.get(input.VersionId)] as const) : byStage(input.VersionStage ?? 'AWSCURRENT');
    const [id, version] = found ?? [];
    if (!id || !version?.value || (input.VersionStage && !version.stages.includes(input.VersionStage))) throw notFound('no such version');
    return { VersionId: id, SecretString: version.value, CreatedDate: new Date(version.created), VersionStages: version.stages };
  });
  mock.on(DescribeSecretCommand).callsFake(() => ({
    RotationEnabled: true,
    VersionIdsToStages: Object.fromEntries([...versions].filter(([, v]) => v.stages.length > 0).map(([id, v]) => [id, [...v.stages]])),
  }));
  mock.on(GetRandomPasswordCommand).callsFake(() => ({ RandomPassword: `generated${++passwords}`.padEnd(64, 'x') }));
  mock.on(PutSecretValueCommand).callsFake((input: { ClientRequestToken: string; SecretString: string; VersionStages?: string[] }) => {
    const stages = input.VersionStages ?? ['AWSCURRENT'];
    for (const stage of stages) for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== stage);
    versions.set(input.ClientRequestToken, { value: input.SecretString, stages, created: clock() });
    return {};
  });
  mock.on(UpdateSecretVersionStageCommand).callsFake((input: { VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) => {
    if (input.RemoveFromVersionId) {
      const from = versions.get(input.RemoveFromVersionId)!;
      if (!from.stages.includes(input.VersionStage)) throw new Error('stage is not on that version');
      from.stages = from.stages.filter((s) => s !== input.VersionStage);
      if (input.VersionStage === 'AWSCURRENT') {
        for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
        from.stages.push('AWSPREVIOUS');
      }
    }
    if (input.MoveToVersionId) versions.get(input.MoveToVersionId)!.stages.push(input.VersionStage);
    return {};
  });
  /** What Secrets Manager does as a rotation starts: a new version id, staged AWSPENDING, no value. */
  const startRotation = (id: string) => {
    for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPENDING');
    versions.set(id, { value: undefined, stages: ['AWSPENDING'], created: clock() });
  };
  /** Values the authorizer accepts now: current and previous. */
  const accepted = () => ['AWSCURRENT', 'AWSPREVIOUS'].map((stage) => byStage(stage)?.[1].value).filter((v) => v !== undefined);
  /** Stores a new current value by hand (`put-secret-value`). */
  const put = (value: string) => {
    const current = byStage('AWSCURRENT')![0];
    for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    versions.get(current)!.stages = ['AWSPREVIOUS'];
    versions.set(`v${versions.size}`, { value, stages: ['AWSCURRENT'], created: clock() });
  };
  const stageOf = (id: string) => versions.get(id)?.stages ?? [];
  return { client, mock, accepted, put, startRotation, stageOf, current: () => byStage('AWSCURRENT')![1].value! };
}

/** A distribution with the API origin (sending `token`) and a second origin without it. */
export function fakeDistribution(token: string) {
  const client = new CloudFrontClient({ region: 'us-east-1', credentials });
  let etag = 1;
  let status = 'Deployed';
  let config: DistributionConfig = {
    CallerReference: 'ref',
    Comment: 'strata-dev',
    Enabled: true,
    DefaultCacheBehavior: undefined,
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 'api',
          DomainName: 'abc.execute-api.eu-west-1.amazonaws.com',
          CustomHeaders: {
            Quantity: 2,
            Items: [
              { HeaderName: 'x-strata-edge-token', HeaderValue: token },
              { HeaderName: 'x-other', HeaderValue: 'kept' },
            ],
          },
        },
        { Id: 'other', DomainName: 'example.com' },
      ],
    },
  };
  const mock = mockClient(client);
  mock
    .on(GetDistributionCommand)
    .callsFake(() => ({ ETag: `E${etag}`, Distribution: { Id: 'E2EXAMPLE', Status: status, DistributionConfig: structuredClone(config) } }));
  mock.on(UpdateDistributionCommand).callsFake((input: { IfMatch?: string; DistributionConfig: DistributionConfig }) => {
    if (input.IfMatch !== `E${etag}`) throw new PreconditionFailed({ message: 'stale ETag', $metadata: {} });
    config = structuredClone(input.DistributionConfig);
    etag++;
    status = 'InProgress';
    return { ETag: `E${etag}` };
  });
  const headers = () => config.Origins!.Items![0]!.CustomHeaders!.Items!;
  return { client, mock, sent: () => headers()[0]!.HeaderValue!, config: () => config, deploy: () => void (status = 'Deployed') };
}

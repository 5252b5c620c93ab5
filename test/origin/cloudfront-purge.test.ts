/**
 * The outbox delivering to CloudFront (`-c edge=cloudfront`): records become invalidations,
 * within CloudFront's limits, and stay in the outbox until CloudFront accepted them. The AWS SDK
 * clients are mocked with aws-sdk-client-mock; the outbox is the real table on PGlite.
 */
import { CloudFrontClient, CreateInvalidationCommand, NoSuchDistribution, TooManyInvalidationsInProgress } from '@aws-sdk/client-cloudfront';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloudFrontPurgeTarget } from '../../origin/cloudfront/index.ts';
import { loadConfig } from '../../origin/config.ts';
import type { Database } from '../../origin/db/index.ts';
import { log } from '../../origin/log.ts';
import { countPending, enqueuePurge, OutboxDeliverer } from '../../origin/outbox/index.ts';
import { projectPurge } from '../../origin/projects/commands.ts';
import { DATABASE_KINDS, openTestDatabase } from './databases.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ID = (n: number) => `1a000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const tooMany = () => new TooManyInvalidationsInProgress({ message: 'Your request contains too many invalidations.', $metadata: {} });

describe.each(DATABASE_KINDS)('purges as CloudFront invalidations on %s', (kind) => {
  let db: Database;
  let close: () => Promise<void>;
  const cloudfront = new CloudFrontClient({ region: 'us-east-1', credentials });
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const cf = mockClient(cloudfront);
  const params = mockClient(ssm);
  let warnings: string[];

  beforeAll(async () => ({ db, close } = await openTestDatabase(kind)));
  afterAll(() => close());
  beforeEach(async () => {
    await db.query('DELETE FROM purge_outbox');
    cf.reset();
    params.reset();
    cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    warnings = [];
    vi.spyOn(log, 'warn').mockImplementation((message) => void warnings.push(message));
    return () => vi.restoreAllMocks();
  });

  const write = (tenant: string, n: number) => db.transaction((tx) => enqueuePurge(tx, projectPurge(tenant, ID(n))));
  const sent = () => cf.commandCalls(CreateInvalidationCommand).map((call) => call.args[0].input);
  const deliverer = (target: CloudFrontPurgeTarget, options: { baseDelayMs?: number } = {}) =>
    new OutboxDeliverer({ db, url: undefined, secret: undefined, target, ...options });
  const lastErrors = async () =>
    (await db.query<{ last_error: string | null }>('SELECT last_error FROM purge_outbox WHERE delivered_at IS NULL ORDER BY seq')).map((row) => row.last_error);
  const makeDue = () => db.query('UPDATE purge_outbox SET next_attempt_at = now()');

  it('needs neither PURGE_URL nor PURGE_SECRET, and sends the purges of a run as one invalidation', async () => {
    await write('acme', 1);
    await write('acme', 2);
    await write('globex', 3);
    const target = new CloudFrontPurgeTarget({ distribution: { distributionId: 'E2EXAMPLE' }, client: cloudfront });
    expect(await deliverer(target).deliverPending()).toEqual({ delivered: 3, failed: 0 });
    expect(await countPending(db)).toBe(0);
    expect(sent()).toEqual([
      {
        DistributionId: 'E2EXAMPLE',
        InvalidationBatch: {
          CallerReference: expect.stringMatching(/^strata-[0-9a-f-]{36}$/),
          Paths: { Quantity: 2, Items: ['/v1/acme/public/*', '/v1/globex/public/*'] },
        },
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('keeps what CloudFront refused (TooManyInvalidationsInProgress) for the backoff, and delivers it later', async () => {
    for (let i = 0; i < 20; i++) await write(`t${i}`, i);
    cf.on(CreateInvalidationCommand).resolvesOnce({}).rejectsOnce(tooMany()).resolves({});
    const target = new CloudFrontPurgeTarget({ distribution: { distributionId: 'E2EXAMPLE' }, client: cloudfront });
    const run = deliverer(target, { baseDelayMs: 60_000 });
    // 20 tenants: 15 wildcard paths in the first request, 5 in a second, which CloudFront refuses.
    expect(await run.deliverPending()).toEqual({ delivered: 15, failed: 5 });
    expect(sent().map((input) => input.InvalidationBatch!.Paths!.Quantity)).toEqual([15, 5]);
    expect(await lastErrors()).toEqual(Array(5).fill(expect.stringContaining('TooManyInvalidationsInProgress')));
    // Not due before the backoff; once due, sent again (and accepted).
    expect(await run.deliverPending()).toEqual({ delivered: 0, failed: 0 });
    await makeDue();
    expect(await run.deliverPending()).toEqual({ delivered: 5, failed: 0 });
    expect(await countPending(db)).toBe(0);
    expect(sent()[2]!.InvalidationBatch!.Paths!.Items).toEqual([
      '/v1/t15/public/*',
      '/v1/t16/public/*',
      '/v1/t17/public/*',
      '/v1/t18/public/*',
      '/v1/t19/public/*',
    ]);
  });

  it('stops a run at the first refusal: later requests are not sent, and their purges wait too', async () => {
    for (let i = 0; i < 40; i++) await write(`t${i}`, i);
    cf.on(CreateInvalidationCommand).rejects(tooMany());
    const target = new CloudFrontPurgeTarget({ distribution: { distributionId: 'E2EXAMPLE' }, client: cloudfront });
    expect(await deliverer(target).deliverPending()).toEqual({ delivered: 0, failed: 40 });
    expect(sent()).toHaveLength(1);
    expect((await lastErrors()).filter((e) => e!.startsWith('not sent after an earlier refusal'))).toHaveLength(25);
  });

  it('loses nothing while CloudFront is unreachable', async () => {
    await write('acme', 1);
    cf.on(CreateInvalidationCommand).rejects(new Error('connect ETIMEDOUT'));
    const target = new CloudFrontPurgeTarget({ distribution: { distributionId: 'E2EXAMPLE' }, client: cloudfront });
    const run = deliverer(target, { baseDelayMs: 1 });
    expect(await run.deliverPending()).toEqual({ delivered: 0, failed: 1 });
    expect(await lastErrors()).toEqual(['Error: connect ETIMEDOUT']);
    cf.on(CreateInvalidationCommand).resolves({});
    await makeDue();
    expect(await run.deliverPending()).toEqual({ delivered: 1, failed: 0 });
  });

  it('reads the distribution id from SSM, waits while the parameter is missing, and reads it again after NoSuchDistribution', async () => {
    await write('acme', 1);
    params
      .on(GetParameterCommand, { Name: '/strata/dev/cloudfront-distribution-id' })
      .rejectsOnce(new ParameterNotFound({ message: 'not found', $metadata: {} }))
      .resolves({ Parameter: { Value: 'E1OLD' } });
    const target = new CloudFrontPurgeTarget({ distribution: { parameterName: '/strata/dev/cloudfront-distribution-id' }, client: cloudfront, ssm });
    const run = deliverer(target, { baseDelayMs: 1 });
    // The edge stack is not deployed yet: the purge waits.
    expect(await run.deliverPending()).toEqual({ delivered: 0, failed: 1 });
    expect(await lastErrors()).toEqual([expect.stringContaining('ParameterNotFound')]);
    expect(sent()).toEqual([]);
    // Deployed: sent to the distribution the parameter names, read once.
    await makeDue();
    expect(await run.deliverPending()).toEqual({ delivered: 1, failed: 0 });
    await write('acme', 2);
    expect(await run.deliverPending()).toEqual({ delivered: 1, failed: 0 });
    expect(params.commandCalls(GetParameterCommand)).toHaveLength(2);
    // The distribution was replaced: CloudFront says so, the id is read again.
    params.on(GetParameterCommand).resolves({ Parameter: { Value: 'E2NEW' } });
    cf.on(CreateInvalidationCommand, { DistributionId: 'E1OLD' }).rejects(new NoSuchDistribution({ message: 'gone', $metadata: {} }));
    await write('acme', 3);
    expect(await run.deliverPending()).toEqual({ delivered: 0, failed: 1 });
    await makeDue();
    expect(await run.deliverPending()).toEqual({ delivered: 1, failed: 0 });
    expect(sent().map((input) => input.DistributionId)).toEqual(['E1OLD', 'E1OLD', 'E1OLD', 'E2NEW']);
  });
});

describe('CloudFront purge configuration', () => {
  it('reads the distribution id, or the SSM parameter that holds it, and refuses both at once', () => {
    expect(loadConfig({ CLOUDFRONT_DISTRIBUTION_ID: 'E2EXAMPLE' }).purge.cloudfront).toEqual({ distributionId: 'E2EXAMPLE' });
    expect(loadConfig({ CLOUDFRONT_DISTRIBUTION_ID_PARAMETER: '/strata/dev/cloudfront-distribution-id' }).purge.cloudfront).toEqual({
      parameterName: '/strata/dev/cloudfront-distribution-id',
    });
    expect(loadConfig({}).purge.cloudfront).toBeUndefined();
    expect(() => loadConfig({ CLOUDFRONT_DISTRIBUTION_ID: 'E2EXAMPLE', CLOUDFRONT_DISTRIBUTION_ID_PARAMETER: '/x' })).toThrow(/not both/);
    expect(() => loadConfig({ CLOUDFRONT_DISTRIBUTION_ID: 'https://d111.cloudfront.net' })).toThrow(/CLOUDFRONT_DISTRIBUTION_ID: a CloudFront distribution id/);
  });
});

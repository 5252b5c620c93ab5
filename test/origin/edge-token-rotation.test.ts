/**
 * The edge token under `-c edge=cloudfront`: Secrets Manager rotates it and CloudFront follows,
 * and at no point does CloudFront send a value the authorizer refuses (it accepts the secret's
 * current and previous values). Both services are aws-sdk-client-mock stand-ins.
 */
import { UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { loadEdgeTokenConfig } from '../../origin/cloudfront/token-config.ts';
import { isRotationEvent, rotationStep, type RotationEvent } from '../../origin/cloudfront/token-rotation.ts';
import { syncDistribution } from '../../origin/cloudfront/token-sync.ts';
import { fakeDistribution, fakeSecret } from './edge-token-fakes.ts';

const MINUTE = 60_000;
const SETTLE = 10 * MINUTE;

function world(initial = 'token-0') {
  const clock = { now: 1_000_000 };
  const secret = fakeSecret(initial, () => clock.now);
  const distribution = fakeDistribution(initial);
  const options = {
    secrets: secret.client,
    cloudfront: distribution.client,
    secretId: 'strata/dev/edge-origin-token',
    distributionId: 'E2EXAMPLE',
    settleMs: SETTLE,
    now: () => clock.now,
  };
  const sync = () => syncDistribution(options);
  // As Secrets Manager does: stage a new version id, then invoke the four steps.
  const rotate = async (version: string) => {
    secret.startRotation(version);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await rotationStep(options, { SecretId: options.secretId, ClientRequestToken: version, Step });
    }
  };
  return { clock, secret, distribution, sync, rotate, options };
}

describe('edge token rotation with CloudFront', () => {
  it('switches CloudFront only once the authorizer knows the new value, then retires the old one', async () => {
    const w = world();
    expect(await w.sync()).toBe('in-sync');

    await w.rotate('v1');
    const rotated = w.secret.current();
    expect(rotated).toMatch(/^generated1x+$/);
    expect(rotated).toHaveLength(64);
    expect(w.secret.accepted()).toEqual([rotated, 'token-0']);

    const sentAlong: string[] = [];
    for (let minute = 0; minute <= 12; minute++) {
      w.clock.now += MINUTE;
      await w.sync();
      sentAlong.push(w.distribution.sent());
      // CloudFront never sends a value the authorizer does not accept.
      expect(w.secret.accepted()).toContain(w.distribution.sent());
    }
    // Old value while the authorizer's caches could still refuse the new one; new after 10 minutes.
    expect(sentAlong.slice(0, 9).every((token) => token === 'token-0')).toBe(true);
    expect(sentAlong.at(-1)).toBe(rotated);
    expect(w.distribution.mock.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    // Only the token header changed.
    expect(w.distribution.config().Origins!.Items![0]!.CustomHeaders!.Items).toEqual([
      { HeaderName: 'x-strata-edge-token', HeaderValue: rotated },
      { HeaderName: 'x-other', HeaderValue: 'kept' },
    ]);
    expect(w.distribution.config().Origins!.Items![1]).toEqual({ Id: 'other', DomainName: 'example.com' });

    // The old value stays accepted until every edge location sends the new one.
    expect(await w.sync()).toBe('deploying');
    expect(w.secret.accepted()).toEqual([rotated, 'token-0']);
    w.distribution.deploy();
    expect(await w.sync()).toBe('retired-previous');
    expect(w.secret.accepted()).toEqual([rotated]);
    expect(await w.sync()).toBe('in-sync');
  });

  it('follows a value stored by hand, and switches at once when CloudFront sends a refused value', async () => {
    const w = world();
    w.secret.put('by-hand');
    expect(await w.sync()).toBe('waiting');
    w.clock.now += SETTLE;
    expect(await w.sync()).toBe('switched');
    expect(w.distribution.sent()).toBe('by-hand');

    const lost = world('token-0');
    lost.secret.put('one');
    lost.secret.put('two');
    // 'token-0' is neither current nor previous: the API refuses CloudFront already.
    expect(await lost.sync()).toBe('switched');
    expect(lost.distribution.sent()).toBe('two');
  });

  it('refuses to start a rotation while CloudFront still sends the previous value', async () => {
    const w = world();
    await w.rotate('v1');
    await expect(w.rotate('v2')).rejects.toThrow(/does not send the current value/);
    // Nothing changed: the value CloudFront sends is still accepted.
    expect(w.secret.accepted()).toContain(w.distribution.sent());
  });

  it('repeats no step that already ran', async () => {
    const w = world();
    w.secret.startRotation('v1');
    const step = (Step: RotationEvent['Step']) => rotationStep(w.options, { SecretId: w.options.secretId, ClientRequestToken: 'v1', Step });
    await step('createSecret');
    await step('createSecret');
    await step('finishSecret');
    await step('finishSecret');
    expect(w.secret.mock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(w.secret.stageOf('v1')).toContain('AWSCURRENT');
    expect(w.secret.stageOf('v0')).toEqual(['AWSPREVIOUS']);
    expect(isRotationEvent({ SecretId: 's', ClientRequestToken: 't', Step: 'createSecret' })).toBe(true);
    expect(isRotationEvent({ source: 'aws.events' })).toBe(false);
  });

  it('reads its configuration', () => {
    expect(loadEdgeTokenConfig({ EDGE_TOKEN_SECRET_ID: 'arn:x', CLOUDFRONT_DISTRIBUTION_ID: 'E2EXAMPLE' })).toEqual({
      secretId: 'arn:x',
      distributionId: 'E2EXAMPLE',
      settleMs: 600_000,
    });
    expect(() => loadEdgeTokenConfig({ EDGE_TOKEN_SECRET_ID: 'arn:x' })).toThrow(/CLOUDFRONT_DISTRIBUTION_ID/);
  });
});

/** CacheControlAuthorization: the stage patch that CloudFormation cannot express. */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheControlAuthorization, type UnauthorizedCacheControlStrategy } from '../../infra/constructs/cache-control-authorization/index.ts';
import { OriginApi } from '../../infra/constructs/origin-api/index.ts';
import { constructStack, inlineFunction, resources } from './support.ts';

function build(strategy?: UnauthorizedCacheControlStrategy) {
  const { stack } = constructStack();
  const api = new OriginApi(stack, 'Api', { handler: inlineFunction(stack), stageName: 'test' });
  new CacheControlAuthorization(stack, 'Auth', {
    api: api.api,
    stage: api.stage,
    cachedResourcePaths: api.cachedMethods.map((m) => m.resourcePath),
    stageSettingsFingerprint: api.stageSettingsFingerprint,
    ...(strategy ? { unauthorizedStrategy: strategy } : {}),
  });
  const template = Template.fromStack(stack);
  const [[id, resource]] = Object.entries(template.findResources('Custom::AWS')) as [[string, { Properties: Record<string, any>; DependsOn: string[] }]];
  // The SDK call is JSON joined around tokens (API id, stage name); read it with placeholders.
  const call = (which: 'Create' | 'Update') =>
    JSON.parse((resource.Properties[which]['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<token>')).join('')) as Record<
      string,
      any
    >;
  return { id, resource, template, call, fingerprint: api.stageSettingsFingerprint };
}

describe('CacheControlAuthorization', () => {
  it('requires authorization to invalidate, on the stage default and on every cached method, and ignores the header otherwise (never a 403)', () => {
    const { call } = build();
    for (const which of ['Create', 'Update'] as const) {
      const sdk = call(which);
      expect(sdk).toMatchObject({ service: 'APIGateway', action: 'updateStage', parameters: { restApiId: '<token>', stageName: '<token>' } });
      expect(sdk.parameters.patchOperations).toEqual(
        ['/*/*', '/~1v1~1{tenant}~1public~1projects/GET', '/~1v1~1{tenant}~1public~1projects~1{id}/GET'].flatMap((target) => [
          { op: 'replace', path: `${target}/caching/requireAuthorizationForCacheControl`, value: 'true' },
          { op: 'replace', path: `${target}/caching/unauthorizedCacheControlHeaderStrategy`, value: 'SUCCEED_WITHOUT_RESPONSE_HEADER' },
        ]),
      );
    }
  });

  it('runs again whenever the stage settings change (their fingerprint is in the physical id)', () => {
    const { call, fingerprint } = build();
    expect(call('Update').physicalResourceId.id).toBe(`<token>-cache-control-auth-${fingerprint}`);
  });

  it('may only PATCH this one stage, after the stage exists, with the SDK Lambda already carries', () => {
    const { template, resource } = build('SUCCEED_WITH_RESPONSE_HEADER');
    expect(JSON.stringify(resource.Properties.Create)).toContain('SUCCEED_WITH_RESPONSE_HEADER');
    expect(resource.Properties.InstallLatestAwsSdk).toBe(false);
    expect(resource.DependsOn.some((dependency) => dependency.startsWith('ApiDeploymentStagetest'))).toBe(true);
    const policies = resources(template, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('Auth'));
    expect(policies).toHaveLength(1);
    const [statement] = policies[0]![1].PolicyDocument.Statement;
    expect(statement.Action).toBe('apigateway:PATCH');
    expect(JSON.stringify(statement.Resource)).toMatch(/::\/restapis\/.*\/stages\//);
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
  });
});

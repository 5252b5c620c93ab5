/**
 * EdgeAuthorizer and its wiring into OriginApi: the generated token secret, the authorizer
 * function that may read only that secret, the REQUEST authorizer keyed on the edge's header,
 * every method behind it, and refusals as a 403 in Strata's error shape.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EdgeAuthorizer, type EdgeAuthorizerProps } from '../../infra/constructs/edge-authorizer/index.ts';
import { OriginApi } from '../../infra/constructs/origin-api/index.ts';
import { constructStack, inlineFunction, resources } from './support.ts';

function build(props: Partial<EdgeAuthorizerProps> = {}) {
  const { stack } = constructStack();
  const secret = EdgeAuthorizer.createTokenSecret(stack, 'Token', 'strata/test/edge-origin-token');
  const edge = new EdgeAuthorizer(stack, 'Edge', { entry: 'origin/authorizer-lambda.ts', secret, ...props });
  new OriginApi(stack, 'Api', { handler: inlineFunction(stack), stageName: 'test', authorizer: edge.authorizer });
  const template = Template.fromStack(stack);
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  return { edge, template, secretId: logicalId(secret), functionId: logicalId(edge.function.function) };
}

describe('EdgeAuthorizer', () => {
  it('generates a long, header-safe token in Secrets Manager under the stage’s name', () => {
    build().template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'strata/test/edge-origin-token',
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('runs the authorizer outside the VPC, told where the token is, allowed to read that secret only', () => {
    const { template, secretId, functionId } = build();
    const fn = resources(template, 'AWS::Lambda::Function').find(([id]) => id === functionId)![1];
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Description: 'Strata edge-token authorizer', MemorySize: 256, Timeout: 5 });
    expect(fn).not.toHaveProperty('VpcConfig');
    expect(fn.Environment.Variables).toMatchObject({ EDGE_TOKEN_SECRET_ID: { Ref: secretId }, EDGE_TOKEN_CACHE_SECONDS: '300' });
    const statements = resources(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.PolicyDocument.Statement);
    const reads = statements.filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: { Ref: secretId } })]);
  });

  it("keys API Gateway's cached answers on the edge's header, for five minutes", () => {
    const { template, functionId } = build();
    const [[, authorizer]] = resources(template, 'AWS::ApiGateway::Authorizer') as [[string, Record<string, any>]];
    expect(authorizer).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.x-strata-edge-token', AuthorizerResultTtlInSeconds: 300 });
    expect(JSON.stringify(authorizer.AuthorizerUri)).toContain(functionId);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    });
  });

  it('guards every method of the API, cached routes and the origin’s own paths included', () => {
    const { template } = build();
    const [[authorizerId]] = resources(template, 'AWS::ApiGateway::Authorizer') as [[string, unknown]];
    const methods = resources(template, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(8);
    for (const [id, method] of methods) expect([id, method.AuthorizationType, method.AuthorizerId]).toEqual([id, 'CUSTOM', { Ref: authorizerId }]);
  });

  it("answers a missing or wrong token with a 403 in Strata's error shape", () => {
    const { template } = build();
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED']) {
      const [, response] = resources(template, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.ResponseType === type)!;
      expect(response).toMatchObject({ StatusCode: '403', ResponseParameters: { 'gatewayresponse.header.Cache-Control': "'no-store'" } });
      const body = JSON.parse(response.ResponseTemplates['application/json']);
      expect(body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('edge'), requestId: '$context.requestId' } });
    }
  });

  it.each([
    [{ resultsCacheTtl: Duration.seconds(0) }, /resultsCacheTtl must be 1 s to 1 hour/],
    [{ resultsCacheTtl: Duration.hours(2) }, /resultsCacheTtl must be 1 s to 1 hour/],
    [{ secretCacheTtl: Duration.hours(2) }, /secretCacheTtl must be 1 s to 1 hour, got 7200 s/],
  ])('refuses %o', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

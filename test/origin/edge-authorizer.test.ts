/**
 * The API Gateway authorizer that admits only the edge, with Secrets Manager mocked at the SDK
 * client (aws-sdk-client-mock) under the real Powertools Parameters provider: which tokens pass,
 * the policy API Gateway caches, rotation, caching (counted calls, an injected clock) and a
 * Secrets Manager that fails.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadAuthorizerConfig } from '../../origin/gateway/config.ts';
import { edgeTokenAuthorizer, type AuthorizerRequestEvent } from '../../origin/gateway/edge-token.ts';
import { secretTokens } from '../../origin/gateway/secret-tokens.ts';

const SECRET_ID = 'strata/test/edge-origin-token';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/production/GET/v1/acme/public/projects';
const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/production/*';

const sm = mockClient(SecretsManagerClient);
/** The secret's versions by stage; a missing stage answers ResourceNotFoundException, as Secrets Manager does. */
let versions: Record<string, string | Error>;
let warnings: string[];

function build(maxAgeSeconds = 300) {
  const logger = { warn: (msg: string) => void warnings.push(msg) };
  return edgeTokenAuthorizer(secretTokens({ secretId: SECRET_ID, maxAgeSeconds, logger }));
}

const event = (headers: Record<string, string> | null): AuthorizerRequestEvent => ({ type: 'REQUEST', methodArn: METHOD_ARN, headers });
const effect = async (authorize: ReturnType<typeof build>, token?: string) =>
  (await authorize(event(token === undefined ? {} : { 'x-strata-edge-token': token }))).policyDocument.Statement[0]!.Effect;
const reads = (stage: string) => sm.commandCalls(GetSecretValueCommand).filter((call) => (call.args[0].input.VersionStage ?? 'AWSCURRENT') === stage).length;

beforeEach(() => {
  sm.reset();
  versions = { AWSCURRENT: 'current-token-0123456789abcdef0123456789abcdef' };
  warnings = [];
  sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionStage?: string }) => {
    expect(input.SecretId).toBe(SECRET_ID);
    const value = versions[input.VersionStage ?? 'AWSCURRENT'];
    if (value instanceof Error) throw value;
    if (value === undefined) throw new ResourceNotFoundException({ message: `no ${input.VersionStage} version`, $metadata: {} });
    return { Name: SECRET_ID, SecretString: value };
  });
});
afterEach(() => vi.useRealTimers());

describe('the edge authorizer', () => {
  it("allows the edge's token for every method and path of the stage, whatever the header's case", async () => {
    const authorize = build();
    expect(await authorize(event({ 'X-Strata-Edge-Token': versions.AWSCURRENT as string }))).toEqual({
      principalId: 'strata-edge',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: STAGE }] },
    });
  });

  it('denies a missing, empty or wrong token, and a token that only starts right', async () => {
    const authorize = build();
    expect((await authorize(event(null))).policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: STAGE }]);
    for (const token of [undefined, '', 'guess', (versions.AWSCURRENT as string).slice(0, 20), `${versions.AWSCURRENT as string}x`]) {
      expect(await effect(authorize, token)).toBe('Deny');
    }
  });

  it('reads Secrets Manager once per cache lifetime, then again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const authorize = build(300);
    for (let i = 0; i < 5; i++) expect(await effect(authorize, versions.AWSCURRENT as string)).toBe('Allow');
    expect([reads('AWSCURRENT'), reads('AWSPREVIOUS')]).toEqual([1, 1]);
    vi.setSystemTime(Date.now() + 301_000);
    await effect(authorize, 'guess');
    expect([reads('AWSCURRENT'), reads('AWSPREVIOUS')]).toEqual([2, 2]);
  });

  it('accepts the previous token during a rotation, and only the current one once it is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const authorize = build(300);
    const old = versions.AWSCURRENT as string;
    expect(await effect(authorize, old)).toBe('Allow');
    // The operator stores a new value: Secrets Manager moves the old one to AWSPREVIOUS.
    versions = { AWSCURRENT: 'rotated-token-0123456789abcdef0123456789abcdef', AWSPREVIOUS: old };
    vi.setSystemTime(Date.now() + 301_000);
    expect(await effect(authorize, old)).toBe('Allow');
    expect(await effect(authorize, 'rotated-token-0123456789abcdef0123456789abcdef')).toBe('Allow');
    // ...and removes AWSPREVIOUS once the Worker sends the new one.
    versions = { AWSCURRENT: 'rotated-token-0123456789abcdef0123456789abcdef' };
    vi.setSystemTime(Date.now() + 301_000);
    expect(await effect(authorize, old)).toBe('Deny');
    expect(warnings).toEqual([]);
  });

  it('rides out a failed refresh with the last values read, and fails while it has never read one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const authorize = build(300);
    const token = versions.AWSCURRENT as string;
    versions.AWSPREVIOUS = 'previous-token-0123456789abcdef0123456789abcdef';
    expect(await effect(authorize, token)).toBe('Allow');
    versions = { AWSCURRENT: new Error('Secrets Manager unavailable'), AWSPREVIOUS: new Error('Secrets Manager unavailable') };
    vi.setSystemTime(Date.now() + 301_000);
    expect(await effect(authorize, token)).toBe('Allow');
    expect(await effect(authorize, 'previous-token-0123456789abcdef0123456789abcdef')).toBe('Allow');
    expect(warnings).toEqual(
      expect.arrayContaining(['edge token refresh failed; using the last value read', 'previous edge token unreadable; using the last value read']),
    );

    await expect(build()(event({ 'x-strata-edge-token': token }))).rejects.toThrow(/Secrets Manager unavailable/);
  });

  it('fails, accepting nothing, while the secret holds no text', async () => {
    versions = { AWSCURRENT: '' };
    await expect(build()(event({ 'x-strata-edge-token': 'undefined' }))).rejects.toThrow(/holds no text value/);
    expect(await effect(build(), '')).toBe('Deny');
  });
});

describe('the authorizer configuration', () => {
  it('needs the secret and caches for five minutes unless told otherwise', () => {
    expect(loadAuthorizerConfig({ EDGE_TOKEN_SECRET_ID: SECRET_ID })).toEqual({ secretId: SECRET_ID, cacheSeconds: 300 });
    expect(loadAuthorizerConfig({ EDGE_TOKEN_SECRET_ID: SECRET_ID, EDGE_TOKEN_CACHE_SECONDS: '60' }).cacheSeconds).toBe(60);
    expect(() => loadAuthorizerConfig({})).toThrow(/invalid authorizer configuration: EDGE_TOKEN_SECRET_ID/);
    expect(() => loadAuthorizerConfig({ EDGE_TOKEN_SECRET_ID: SECRET_ID, EDGE_TOKEN_CACHE_SECONDS: '0' })).toThrow(/EDGE_TOKEN_CACHE_SECONDS/);
  });
});

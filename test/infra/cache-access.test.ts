/** CacheAccess: the RBAC users, their group and the app user's generated password. */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CacheAccess, type CacheAccessProps } from '../../infra/constructs/cache-access/index.ts';
import { APP_ACCESS_STRING } from '../../infra/constructs/cache-access/defaults.ts';
import { constructStack, resources } from './support.ts';

function build(props: Partial<CacheAccessProps> = {}) {
  const { stack } = constructStack();
  const access = new CacheAccess(stack, 'Access', { idPrefix: 'strata-test', secretName: 'strata/test/redis-app', ...props });
  return { access, template: Template.fromStack(stack) };
}

describe('CacheAccess', () => {
  it('switches the mandatory default user off', () => {
    build().template.hasResourceProperties('AWS::ElastiCache::User', {
      UserId: 'strata-test-default',
      UserName: 'default',
      AccessString: 'off -@all',
      Engine: 'redis',
    });
  });

  it('gives the app user the restricted access string and a password from Secrets Manager', () => {
    const { template } = build();
    const [, user] = resources(template, 'AWS::ElastiCache::User').find(([, p]) => p.UserName === 'strata-app')!;
    expect(user.AccessString).toBe(APP_ACCESS_STRING);
    expect(user.AccessString).toContain('-@dangerous');
    expect(user.AuthenticationMode.Type).toBe('password');
    const password = JSON.stringify(user.AuthenticationMode.Passwords);
    expect(password).toContain('{{resolve:secretsmanager:');
    expect(password).toContain(':SecretString:password::}}');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'strata/test/redis-app',
      GenerateSecretString: { SecretStringTemplate: '{"username":"strata-app"}', GenerateStringKey: 'password', PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('groups both users', () => {
    build().template.hasResourceProperties('AWS::ElastiCache::UserGroup', {
      UserGroupId: 'strata-test-users',
      Engine: 'redis',
      UserIds: ['strata-test-default', 'strata-test-app'],
    });
  });

  it('refuses access strings that set passwords, reset the user or leave it off, and bad id prefixes', () => {
    expect(() => build({ appAccessString: 'on >secret ~* +@all' })).toThrow(/must not set passwords or reset/);
    expect(() => build({ appAccessString: 'on nopass ~* +@all' })).toThrow(/must not set passwords or reset/);
    expect(() => build({ appAccessString: 'reset on ~* +@all' })).toThrow(/must not set passwords or reset/);
    expect(() => build({ appAccessString: '~* +@all' })).toThrow(/must start with "on"/);
    expect(() => build({ idPrefix: 'Strata_Test' })).toThrow(/idPrefix must match/);
  });
});

import { CfnUser, CfnUserGroup } from 'aws-cdk-lib/aws-elasticache';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { APP_ACCESS_STRING, DEFAULT_APP_USERNAME, DEFAULT_USER_ACCESS_STRING, PASSWORD_LENGTH } from './defaults.ts';

/** Props of {@link CacheAccess}. */
export interface CacheAccessProps {
  /** Prefix of the user and user-group ids, e.g. `strata-dev` (lowercase, starts with a letter). */
  readonly idPrefix: string;
  /** Secrets Manager name of the app user's credentials (`{ username, password }`). */
  readonly secretName: string;
  /** @default `strata-app` */
  readonly appUsername?: string;
  /** ACL rules of the app user. @default {@link APP_ACCESS_STRING} */
  readonly appAccessString?: string;
}

/**
 * ElastiCache RBAC: a switched-off `default` user, the application's user with a generated
 * password kept in Secrets Manager, and the user group both replication groups attach.
 */
export class CacheAccess extends Construct {
  readonly userGroup: CfnUserGroup;
  /** `{ username, password }` of the application's user. */
  readonly secret: Secret;
  readonly appUsername: string;

  constructor(scope: Construct, id: string, props: CacheAccessProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.idPrefix)) {
      throw new Error(`CacheAccess: idPrefix must match [a-z][a-z0-9-]*, got ${JSON.stringify(props.idPrefix)}`);
    }
    const accessString = props.appAccessString ?? APP_ACCESS_STRING;
    // ElastiCache sets passwords through its API only; `>`/`<`, `nopass` and `reset` would be refused.
    if (/(^|\s)(nopass|reset|resetpass|[<>#!]\S*)(\s|$)/.test(accessString)) {
      throw new Error(`CacheAccess: appAccessString must not set passwords or reset the user, got ${JSON.stringify(accessString)}`);
    }
    if (!/^on(\s|$)/.test(accessString)) throw new Error('CacheAccess: appAccessString must start with "on", or the user cannot log in');
    this.appUsername = props.appUsername ?? DEFAULT_APP_USERNAME;

    this.secret = new Secret(this, 'AppCredentials', {
      secretName: props.secretName,
      description: 'ElastiCache RBAC credentials of the Strata origin',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: this.appUsername }),
        generateStringKey: 'password',
        passwordLength: PASSWORD_LENGTH,
        // Letters and digits only: nothing a URL, a shell or ElastiCache's rules could trip on.
        excludePunctuation: true,
      },
    });

    // Engine `redis`: ElastiCache accepts redis-engine users and groups on Valkey groups too.
    const defaultUser = new CfnUser(this, 'DefaultUser', {
      engine: 'redis',
      userId: `${props.idPrefix}-default`,
      userName: 'default',
      accessString: DEFAULT_USER_ACCESS_STRING,
      noPasswordRequired: true,
    });
    const appUser = new CfnUser(this, 'AppUser', {
      engine: 'redis',
      userId: `${props.idPrefix}-app`,
      userName: this.appUsername,
      accessString,
      // A CloudFormation dynamic reference: resolved by CloudFormation, never in the template.
      authenticationMode: { Type: 'password', Passwords: [this.secret.secretValueFromJson('password').unsafeUnwrap()] },
    });
    this.userGroup = new CfnUserGroup(this, 'UserGroup', {
      engine: 'redis',
      userGroupId: `${props.idPrefix}-users`,
      userIds: [defaultUser.userId, appUser.userId],
    });
    this.userGroup.addResourceDependency(defaultUser);
    this.userGroup.addResourceDependency(appUser);
  }
}

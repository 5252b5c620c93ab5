/**
 * The origin's secrets as its functions see them: Secrets Manager ids in the environment
 * (`*_SECRET_ARN`), read at run time by `origin/secrets/`, and `secretsmanager:GetSecretValue`
 * on exactly those secrets. No value and no dynamic reference goes into a function's
 * configuration, which anyone allowed `lambda:GetFunctionConfiguration` can read.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { secretNames } from '../naming.ts';

/** The secrets a stage's origin reads. */
export interface OriginSecretsProps {
  readonly stage: string;
  /** The Redis app user's credentials (`{ username, password }`), made by the data stack. */
  readonly redis: ISecret;
  /** The purge webhook's HMAC key, made by the origin stack. */
  readonly purge: ISecret;
}

/**
 * The operator API's token, for the origin function only (the outbox deliverer serves no HTTP):
 * `OPERATOR_TOKEN_SECRET_ARN` and `GetSecretValue` on exactly that secret.
 */
export function operatorTokenAccess(secret: ISecret): OriginSecrets {
  return {
    environment: { OPERATOR_TOKEN_SECRET_ARN: secret.secretArn },
    grantRead(grantee) {
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    },
  };
}

/** What the functions get: environment variables and the grant that goes with them. */
export interface OriginSecrets {
  readonly environment: Readonly<Record<string, string>>;
  grantRead(grantee: IGrantable): void;
}

/**
 * The keyring is created by the operator before the first deploy (docs/deploy.md), so it is
 * named, not referenced: its ARN ends in a suffix Secrets Manager picks, hence `-??????`.
 */
export function originSecrets(scope: Stack, props: OriginSecretsProps): OriginSecrets {
  const keyringName = secretNames.cacheEncryptionKeys(props.stage);
  const keyringArn = scope.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${keyringName}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return {
    environment: {
      REDIS_PASSWORD_SECRET_ARN: props.redis.secretArn,
      PURGE_SECRET_ARN: props.purge.secretArn,
      CACHE_ENCRYPTION_KEYS_SECRET_ARN: keyringName,
    },
    grantRead(grantee) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.redis.secretArn, props.purge.secretArn, keyringArn] }),
      );
    },
  };
}

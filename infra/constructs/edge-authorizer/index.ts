import { Duration, Validations } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OriginFunction } from '../origin-function/index.ts';
import * as d from './defaults.ts';

/** Props of {@link EdgeAuthorizer}. */
export interface EdgeAuthorizerProps {
  /** Entry file of the authorizer Lambda (`origin/authorizer-lambda.ts`, handler `handler`). */
  readonly entry: string;
  /**
   * The token secret (see {@link EdgeAuthorizer.createTokenSecret}); it lives apart from the
   * authorizer so it can exist, and reach the Worker, before the authorizer enforces it.
   */
  readonly secret: ISecret;
  /** How long API Gateway reuses an answer for one token (at most an hour). @default 5 minutes */
  readonly resultsCacheTtl?: Duration;
  /** How long the function reuses a Secrets Manager read (1 s to 1 h). @default 5 minutes */
  readonly secretCacheTtl?: Duration;
}

/**
 * Only the edge reaches the API: a REQUEST authorizer that admits requests whose
 * `x-strata-edge-token` matches the token secret, which the operator gives the Worker
 * (`wrangler secret put EDGE_ORIGIN_TOKEN`). Attach {@link authorizer} to every method. Without
 * the header API Gateway refuses the request without invoking the function.
 */
export class EdgeAuthorizer extends Construct {
  readonly function: OriginFunction;
  readonly authorizer: RequestAuthorizer;

  /** Creates the generated token secret named `secretName` (`strata/<stage>/edge-origin-token`). */
  static createTokenSecret(scope: Construct, id: string, secretName: string): Secret {
    const secret = new Secret(scope, id, {
      secretName,
      description: 'Strata edge → API credential (x-strata-edge-token); the edge Worker holds the same value as EDGE_ORIGIN_TOKEN',
      generateSecretString: { passwordLength: d.TOKEN_LENGTH, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The token is shared with the Cloudflare Worker, which no rotation function can update; the authorizer accepts the previous version, so operators rotate both sides by hand without downtime (docs/deploy.md, Rotating secrets)',
    });
    return secret;
  }

  constructor(scope: Construct, id: string, props: EdgeAuthorizerProps) {
    super(scope, id);
    const resultsCacheTtl = props.resultsCacheTtl ?? d.DEFAULT_RESULTS_CACHE_TTL;
    const secretCacheSeconds = (props.secretCacheTtl ?? d.DEFAULT_SECRET_CACHE_TTL).toSeconds();
    if (resultsCacheTtl.toSeconds() < 1 || resultsCacheTtl.toSeconds() > 3600) {
      throw new Error(`EdgeAuthorizer: resultsCacheTtl must be 1 s to 1 hour (caching is what keys it on the token), got ${resultsCacheTtl.toSeconds()} s`);
    }
    if (secretCacheSeconds < 1 || secretCacheSeconds > 3600)
      throw new Error(`EdgeAuthorizer: secretCacheTtl must be 1 s to 1 hour, got ${secretCacheSeconds} s`);

    // Not in the VPC: it needs Secrets Manager only, and starts faster outside.
    this.function = new OriginFunction(this, 'Function', {
      entry: props.entry,
      description: 'Strata edge-token authorizer',
      environment: { EDGE_TOKEN_SECRET_ID: props.secret.secretArn, EDGE_TOKEN_CACHE_SECONDS: String(secretCacheSeconds) },
      memorySize: d.MEMORY_MB,
      timeout: d.TIMEOUT,
    });
    props.secret.grantRead(this.function.function);

    this.authorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: this.function.function,
      // Also the cache key of the answers: the edge's token, one answer for the whole stage.
      identitySources: [IdentitySource.header(d.EDGE_TOKEN_HEADER)],
      resultsCacheTtl,
    });
  }
}

/**
 * The edge tokens the authorizer accepts, read from Secrets Manager at run time through
 * Powertools Parameters and cached for `maxAgeSeconds`: the secret's `AWSCURRENT` value, and its
 * `AWSPREVIOUS` one, so a rotation never locks the edge out (store the new value, wait out the
 * caches, then give it to the Worker; docs/deploy.md, "Rotating secrets").
 */
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { EdgeTokenSource } from './edge-token.ts';

/** Where the tokens live and how long a read is reused. */
export interface SecretTokensConfig {
  /** Name or ARN of the secret (`strata/<stage>/edge-origin-token`). */
  readonly secretId: string;
  readonly maxAgeSeconds: number;
  /** Told about reads that failed and were ridden out. */
  readonly logger: { warn(msg: string, fields: Record<string, unknown>): void };
}

/** A secret value as a token; anything but a non-empty string (binary, empty) is refused. */
function tokenOf(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error('the edge token secret holds no text value');
  return value;
}

/** The accepted tokens of `config.secretId`; throws only while the current value was never read. */
export function secretTokens(config: SecretTokensConfig): EdgeTokenSource {
  const { secretId, maxAgeSeconds, logger } = config;
  // Powertools caches by secret name only, whatever the version stage: one provider per stage.
  const current = new SecretsProvider();
  const previous = new SecretsProvider();
  let lastCurrent: string | undefined;
  let lastPrevious: string | undefined;
  let previousCheckedUntil = 0;

  async function currentToken(): Promise<string> {
    try {
      lastCurrent = tokenOf(await current.get(secretId, { maxAge: maxAgeSeconds }));
    } catch (error) {
      // Secrets Manager unreachable after the cache expired: the last value read stands in.
      if (lastCurrent === undefined) throw error;
      logger.warn('edge token refresh failed; using the last value read', { secretId, error: String(error) });
    }
    return lastCurrent;
  }

  async function previousToken(): Promise<string | undefined> {
    if (Date.now() < previousCheckedUntil) return lastPrevious;
    try {
      lastPrevious = tokenOf(await previous.get(secretId, { maxAge: maxAgeSeconds, throwOnMissing: true, sdkOptions: { VersionStage: 'AWSPREVIOUS' } }));
    } catch (error) {
      // A secret never rotated has no previous value, and asking again on every request would
      // cost a Secrets Manager call per request: what was found (nothing, or the last value when
      // the read failed) stands as long as a value would be cached.
      previousCheckedUntil = Date.now() + maxAgeSeconds * 1000;
      if (error instanceof ParameterNotFoundError) lastPrevious = undefined;
      else logger.warn('previous edge token unreadable; using the last value read', { secretId, error: String(error) });
    }
    return lastPrevious;
  }

  return {
    async accepted() {
      const [now, before] = await Promise.all([currentToken(), previousToken()]);
      return before === undefined ? [now] : [now, before];
    },
  };
}

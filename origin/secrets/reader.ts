/**
 * Secrets read at run time from AWS Secrets Manager through Powertools Parameters, so a Lambda's
 * environment carries secret ARNs, never values (anyone allowed `lambda:GetFunctionConfiguration`
 * reads the environment). A value is cached for the max age and then read again: that is how a
 * rotated secret reaches a running instance without a redeploy.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** How secrets are read. */
export interface SecretReaderOptions {
  /** How long a value is used before it is read again. */
  maxAgeSeconds: number;
  /** @default a client for the Lambda's region */
  client?: SecretsManagerClient;
  /** Told when a re-read failed and the last value read is used for another max age. */
  onStale?: (secretId: string, error: unknown) => void;
}

/**
 * Powertools' provider with two additions: concurrent reads of one expired secret share one
 * request, and a failed re-read answers the last value read (which Powertools then caches for
 * another max age), so a Secrets Manager outage does not fail, or slow down, every request.
 * A first read that fails still throws: there is nothing to fall back on.
 */
class LastGoodSecretsProvider extends SecretsProvider {
  readonly #inFlight = new Map<string, Promise<string | Uint8Array | undefined>>();
  readonly #lastGood = new Map<string, string | Uint8Array>();
  readonly #onStale: (secretId: string, error: unknown) => void;

  constructor(client: SecretsManagerClient | undefined, onStale: (secretId: string, error: unknown) => void) {
    super(client ? { awsSdkV3Client: client } : {});
    this.#onStale = onStale;
  }

  protected override _get(name: string): Promise<string | Uint8Array | undefined> {
    let pending = this.#inFlight.get(name);
    if (!pending) {
      pending = super._get(name).then(
        (value) => {
          if (value !== undefined) this.#lastGood.set(name, value);
          return value;
        },
        (error: unknown) => {
          const last = this.#lastGood.get(name);
          if (last === undefined) throw error;
          this.#onStale(name, error);
          return last;
        },
      );
      pending.finally(() => this.#inFlight.delete(name)).catch(() => {});
      this.#inFlight.set(name, pending);
    }
    return pending;
  }
}

/** Reads secrets by id (ARN or name), cached for the max age. */
export class SecretReader {
  readonly #provider: LastGoodSecretsProvider;
  readonly #maxAgeSeconds: number;

  constructor(options: SecretReaderOptions) {
    if (!(options.maxAgeSeconds > 0)) throw new Error(`SecretReader: maxAgeSeconds must be positive, got ${options.maxAgeSeconds}`);
    this.#maxAgeSeconds = options.maxAgeSeconds;
    this.#provider = new LastGoodSecretsProvider(options.client, options.onStale ?? (() => {}));
  }

  /**
   * The secret's value, from the cache while it is younger than the max age. With `field`, the
   * secret holds JSON (as RDS and the stack's generated credentials do) and that field is read.
   */
  async read(secretId: string, field?: string): Promise<string> {
    return valueOf(secretId, field, await this.#provider.get(secretId, { maxAge: this.#maxAgeSeconds }));
  }

  /** The same, read from Secrets Manager now (after a server refused the cached value). */
  async reload(secretId: string, field?: string): Promise<string> {
    return valueOf(secretId, field, await this.#provider.get(secretId, { maxAge: this.#maxAgeSeconds, forceFetch: true }));
  }
}

/** The secret string, or its JSON `field`; messages name the secret, never its value. */
function valueOf(secretId: string, field: string | undefined, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error(`secret ${secretId} has no SecretString`);
  if (field === undefined) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`secret ${secretId} is not JSON, so it has no field "${field}"`);
  }
  const found = (parsed as Record<string, unknown> | null)?.[field];
  if (typeof found !== 'string' || found === '') throw new Error(`secret ${secretId} has no string field "${field}"`);
  return found;
}

/**
 * The cache library's errors: one class, stable codes, the underlying `cause` kept.
 */

/** Stable codes of cache errors. */
export const CACHE_ERROR_CODES = {
  codecFailed: 'codec_failed',
  storeUnavailable: 'store_unavailable',
  commandTimeout: 'command_timeout',
  lockTimeout: 'lock_timeout',
  invalidConfig: 'invalid_config',
  loaderFailed: 'loader_failed',
} as const;

/** One of `CACHE_ERROR_CODES`. */
export type CacheErrorCode = (typeof CACHE_ERROR_CODES)[keyof typeof CACHE_ERROR_CODES];

/** An error raised by the cache library. */
export class CacheError extends Error {
  readonly code: CacheErrorCode;

  constructor(code: CacheErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CacheError';
    this.code = code;
  }
}

/**
 * The error body every Strata HTTP layer answers with: `{ error: { code, message, requestId } }`.
 * Codes are stable strings that clients may branch on; messages are for people.
 */

/** Stable error codes shared by the edge and the origin. */
export const ERROR_CODES = {
  invalidTenant: 'invalid_tenant',
  invalidId: 'invalid_id',
  tenantNotFound: 'tenant_not_found',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  originUnavailable: 'origin_unavailable',
  databaseUnavailable: 'database_unavailable',
  rateLimited: 'rate_limited',
  internal: 'internal_error',
  unauthorized: 'unauthorized',
  invalidPurge: 'invalid_purge',
  payloadTooLarge: 'payload_too_large',
  purgeUnavailable: 'purge_unavailable',
  invalidRequest: 'invalid_request',
  invalidCredentials: 'invalid_credentials',
  forbidden: 'forbidden',
  unsupportedMediaType: 'unsupported_media_type',
  cacheUnavailable: 'cache_unavailable',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Wire shape of an error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string };
}

/** Builds the wire shape of an error response. */
export function errorBody(code: ErrorCode, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}

/** An error with an HTTP status and a stable code, whose message is safe to show to the client. */
export class HttpError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;
  readonly code: ErrorCode;

  constructor(status: HttpError['status'], code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

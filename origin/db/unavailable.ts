/**
 * Whether an error means the database could not be reached (as opposed to a bad statement or a
 * constraint): PGlite closed, a refused or dropped connection, a server shutting down or not yet
 * accepting connections (SQLSTATE classes 08 and 57P0x), a pool that found no connection in time.
 * The HTTP layer answers these with 503 `database_unavailable` instead of a 500.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const MESSAGES = [
  /^PGlite is closed$/,
  /^Connection terminated/, // pg: the server went away mid-query or while connecting
  /^timeout exceeded when trying to connect$/, // pg.Pool's connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable$/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code))) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    if (MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) return true;
  }
  return false;
}

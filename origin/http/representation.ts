/**
 * Cached API responses are stored as what is sent: the body (its JSON text), its strong ETag and
 * its media type. A hit then writes the stored text as it is: no `JSON.stringify` of the value,
 * no hash of the body, on every read. The text goes out as a string: a `Response` copies a byte
 * array it is given, and encoding the string costs less than that copy (measured with undici's
 * `Response`, which `app.request` and the Lambda adapter use).
 */
import { createHash } from 'node:crypto';
import type { Context, TypedResponse } from 'hono';

/**
 * A response body as stored in the cache: plain JSON data, so it round-trips through the engine.
 * `T` is the type of the value the body is the JSON of (for the routes' typed responses).
 */
export interface Representation<T = unknown> {
  /** Type-level only: what `body` is the JSON of. */
  readonly __of?: T;
  /** The media type, as `Content-Type` sends it. */
  readonly type: string;
  /** The strong validator: `"<hex SHA-1 of the body's UTF-8 bytes>"`, as hono's `etag()` makes it. */
  readonly etag: string;
  /** The body, exactly as sent. */
  readonly body: string;
}

/** `c.json`'s media type. */
const JSON_TYPE = 'application/json';

/** The representation of `value` as `c.json` would send it, with its ETag. */
export function jsonRepresentation<T>(value: T): Representation<T> {
  const body = JSON.stringify(value);
  return { type: JSON_TYPE, etag: `"${createHash('sha1').update(body).digest('hex')}"`, body };
}

/**
 * The response carrying `representation`, with its `Content-Type` and, when `validator` is set,
 * its `ETag` (`etag()` middleware then compares it with `If-None-Match` without hashing).
 */
export function sendRepresentation<T>(
  c: Context,
  representation: Representation<T>,
  headers: Record<string, string>,
  options: { validator: boolean },
): Response & TypedResponse<T, 200, 'json'> {
  const all: Record<string, string> = { ...headers, 'content-type': representation.type };
  if (options.validator) all.etag = representation.etag;
  // The body is the JSON of a `T` by construction (`jsonRepresentation`); hono types only `c.json`'s.
  const response: Response = c.body(representation.body, 200, all);
  return response as Response & TypedResponse<T, 200, 'json'>;
}

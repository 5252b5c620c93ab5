/**
 * Reads a request body up to a byte limit. The declared `Content-Length` is checked first so an
 * oversized purge is refused without reading it; the bytes are counted too, because a chunked
 * body declares no length and a declared length is only a claim.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

function tooLarge(limit: number): HttpError {
  return new HttpError(413, ERROR_CODES.payloadTooLarge, `purge bodies are limited to ${limit} bytes`);
}

/** The body of `request` as bytes; 413 past `limit` bytes, 400 for a malformed `Content-Length`. */
export async function readLimitedBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    if (!/^[0-9]{1,15}$/.test(declared)) throw new HttpError(400, ERROR_CODES.invalidPurge, 'malformed Content-Length');
    if (Number(declared) > limit) {
      await request.body?.cancel();
      throw tooLarge(limit);
    }
  }
  if (!request.body) return new Uint8Array();

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Byte helpers shared by the codecs: strict text <-> bytes conversions, because Node's lenient
 * decoders would turn corruption into silently different payloads instead of `codec_failed`.
 */
import { CacheError } from '../errors.ts';

// In a `u` regex a surrogate range matches only unpaired halves; paired ones form one code point.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A `codec_failed` error naming the codec; never carries payload or key material. */
export function codecFailed(codec: string, message: string, cause?: unknown): CacheError {
  return new CacheError('codec_failed', `${codec}: ${message}`, cause === undefined ? undefined : { cause });
}

/** UTF-8 bytes of `text`; refuses lone surrogates, which UTF-8 cannot carry and would come back as U+FFFD. */
export function utf8Bytes(text: string, codec: string): Buffer {
  if (LONE_SURROGATE.test(text)) throw codecFailed(codec, 'payload contains a lone UTF-16 surrogate');
  return Buffer.from(text, 'utf8');
}

/** Text of UTF-8 `bytes`; invalid sequences fail instead of becoming U+FFFD. */
export function utf8Text(bytes: Uint8Array, codec: string): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch (error) {
    throw codecFailed(codec, 'decoded bytes are not valid UTF-8', error);
  }
}

/** Bytes of canonical base64/base64url `text`, or undefined: Node skips invalid characters, so re-encode and compare. */
export function strictBase64(text: string, alphabet: 'base64' | 'base64url'): Buffer | undefined {
  const bytes = Buffer.from(text, alphabet);
  return bytes.toString(alphabet) === text ? bytes : undefined;
}

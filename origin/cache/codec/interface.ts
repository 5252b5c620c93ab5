/**
 * How an entry's payload is turned into what Redis stores, and back. Codecs compose: JSON text
 * goes in, and each codec wraps the previous one's output (compress, then encrypt).
 */

/** What a codec may bind its output to: the Redis key it is stored under. */
export interface CodecContext {
  readonly key: string;
}

/** A reversible string transformation of an entry's payload. */
export interface PayloadCodec {
  /** Short name for logs and errors, e.g. `gzip`, `aes-256-gcm`. */
  readonly name: string;
  encode(plain: string, context: CodecContext): Promise<string>;
  /** Throws a `CacheError` with code `codec_failed` when `stored` cannot be decoded. */
  decode(stored: string, context: CodecContext): Promise<string>;
}

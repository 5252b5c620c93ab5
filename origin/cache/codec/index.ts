/**
 * Payload codecs: compose them in storage order, e.g.
 * `composeCodecs(compressCodec(), encryptCodec(parseKeyring(env.CACHE_KEYS)))` — compress first,
 * because ciphertext does not compress.
 */
import { CacheError } from '../errors.ts';
import { codecFailed } from './bytes.ts';
import type { PayloadCodec } from './interface.ts';

export type { CodecContext, PayloadCodec } from './interface.ts';
export { compressCodec, DEFAULT_COMPRESS_THRESHOLD_BYTES, type CompressOptions } from './compress.ts';
export { encryptCodec } from './encrypt.ts';
export { rotatingEncryptCodec, type RotatingKeyringOptions } from './rotating.ts';
export { assertKeyring, generateKey, KEY_BYTES, KEY_ID_PATTERN, parseKeyring, type Keyring } from './keyring.ts';

/** Stores the payload unchanged: for plain, non-sensitive types. */
export const identityCodec: PayloadCodec = {
  name: 'identity',
  encode: async (plain) => plain,
  decode: async (stored) => stored,
};

/** One codec from several: encode runs them left to right, decode right to left. */
export function composeCodecs(...codecs: readonly PayloadCodec[]): PayloadCodec {
  if (codecs.length === 0) return identityCodec;
  if (codecs.length === 1) return codecs[0] as PayloadCodec;
  const name = codecs.map((codec) => codec.name).join('+');
  const reversed = [...codecs].reverse();
  return {
    name,
    async encode(plain, context) {
      let value = plain;
      for (const codec of codecs) value = await codec.encode(value, context);
      return value;
    },
    async decode(stored, context) {
      let value = stored;
      for (const codec of reversed) {
        try {
          value = await codec.decode(value, context);
        } catch (error) {
          // The contract promises `codec_failed`; hold third-party codecs to it too.
          if (error instanceof CacheError) throw error;
          throw codecFailed(codec.name, 'decode threw a non-CacheError', error);
        }
      }
      return value;
    },
  };
}

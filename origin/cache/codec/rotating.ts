/**
 * AES-256-GCM (`encrypt.ts`) over a keyring that may change while the process runs: the text
 * of a rotated Secrets Manager secret. Each call asks `readKeyring` for the current text (the
 * caller caches it) and builds a new codec only when the text changed.
 */
import { codecFailed } from './bytes.ts';
import { encryptCodec } from './encrypt.ts';
import type { PayloadCodec } from './interface.ts';
import { parseKeyring } from './keyring.ts';

/** Options of {@link rotatingEncryptCodec}. */
export interface RotatingKeyringOptions {
  /** The keyring's current text, `kid:<base64 key>[,…]` (current key first). */
  readKeyring: () => Promise<string>;
  /** Told when a changed keyring does not parse; the previous one stays in use. */
  onInvalid?: (error: unknown) => void;
}

/** An encryption codec that follows the keyring `readKeyring` returns. */
export function rotatingEncryptCodec(options: RotatingKeyringOptions): PayloadCodec {
  let current: { text: string; codec: PayloadCodec } | undefined;
  let refused: string | undefined;

  async function codec(): Promise<PayloadCodec> {
    let text: string;
    try {
      text = await options.readKeyring();
    } catch (error) {
      if (current) return current.codec;
      throw codecFailed('aes-256-gcm', 'the keyring could not be read', error);
    }
    if (text === current?.text) return current.codec;
    try {
      const next = { text, codec: encryptCodec(parseKeyring(text)) };
      current = next;
      refused = undefined;
      return next.codec;
    } catch (error) {
      // A bad edit of the secret must not stop every session: keep the keyring that worked.
      if (refused !== text) options.onInvalid?.(error);
      refused = text;
      if (current) return current.codec;
      throw error;
    }
  }

  return {
    name: 'aes-256-gcm',
    encode: async (plain, context) => (await codec()).encode(plain, context),
    decode: async (stored, context) => (await codec()).decode(stored, context),
  };
}

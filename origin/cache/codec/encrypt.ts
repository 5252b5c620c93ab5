/**
 * AES-256-GCM through WebCrypto, for sensitive values before they leave the process (codecs in
 * `docs/engine.md`). Envelope: `v1.<kid>.<iv b64url>.<ciphertext+tag b64url>`. The key id lets
 * keys rotate; the header and the cache key are authenticated data, so a value copied under
 * another key, or relabelled with another version or kid, fails to decrypt.
 */
import type { webcrypto } from 'node:crypto';
import { codecFailed, strictBase64, utf8Bytes, utf8Text } from './bytes.ts';
import type { CodecContext, PayloadCodec } from './interface.ts';
import { assertKeyring, KEY_ID_PATTERN, type Keyring } from './keyring.ts';

// Without the DOM lib, `CryptoKey` is only a value global; the type lives on node:crypto.
type CryptoKey = webcrypto.CryptoKey;

const NAME = 'aes-256-gcm';
const VERSION = 'v1';
/** 96-bit IVs: GCM's native size; random per value keeps collisions negligible below ~2^32 values per key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

function additionalData(kid: string, context: CodecContext): Uint8Array {
  // kid cannot contain '.', so header and cache key cannot be shifted into each other.
  return new TextEncoder().encode(`${VERSION}.${kid}.${context.key}`);
}

/** A codec that encrypts with the keyring's current key and decrypts with whichever key the envelope names. */
export function encryptCodec(keyring: Keyring): PayloadCodec {
  assertKeyring(keyring);
  // Copy the keys so later changes to the caller's map or bytes cannot change what this codec uses.
  const rawKeys = new Map([...keyring.keys].map(([kid, raw]) => [kid, raw.slice()] as const));
  const currentId = keyring.currentId;
  // Imported once per kid, lazily because importKey is async and factories are not.
  const imported = new Map<string, Promise<CryptoKey>>();

  function cryptoKey(kid: string): Promise<CryptoKey> | undefined {
    const cached = imported.get(kid);
    if (cached !== undefined) return cached;
    const raw = rawKeys.get(kid);
    if (raw === undefined) return undefined;
    const pending = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    imported.set(kid, pending);
    // A failed import is not cached, so a transient failure does not poison the key for good.
    pending.catch(() => imported.delete(kid));
    return pending;
  }

  return {
    name: NAME,

    async encode(plain, context) {
      const data = utf8Bytes(plain, NAME);
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      let sealed: ArrayBuffer;
      try {
        // assertKeyring guaranteed the current id is in rawKeys.
        const key = await (cryptoKey(currentId) as Promise<CryptoKey>);
        sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(currentId, context) }, key, data);
      } catch (error) {
        throw codecFailed(NAME, `encryption with key "${currentId}" failed`, error);
      }
      const ivText = Buffer.from(iv).toString('base64url');
      return `${VERSION}.${currentId}.${ivText}.${Buffer.from(sealed).toString('base64url')}`;
    },

    async decode(stored, context) {
      const parts = stored.split('.');
      if (parts.length !== 4) throw codecFailed(NAME, `envelope has ${parts.length} parts; expected 4`);
      const [version, kid, ivText, sealedText] = parts as [string, string, string, string];
      if (version !== VERSION) throw codecFailed(NAME, `unsupported envelope version ${JSON.stringify(version.slice(0, 8))}`);
      if (!KEY_ID_PATTERN.test(kid)) throw codecFailed(NAME, 'envelope key id is malformed');
      const iv = strictBase64(ivText, 'base64url');
      if (iv?.length !== IV_BYTES) throw codecFailed(NAME, `envelope IV is not ${IV_BYTES} bytes of base64url`);
      const sealed = strictBase64(sealedText, 'base64url');
      if (sealed === undefined || sealed.length < TAG_BYTES) {
        throw codecFailed(NAME, 'envelope ciphertext is not base64url or is shorter than the tag');
      }
      const pending = cryptoKey(kid);
      if (pending === undefined) throw codecFailed(NAME, `unknown key id "${kid}" (rotated out of the keyring?)`);
      let opened: ArrayBuffer;
      try {
        opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: additionalData(kid, context) }, await pending, sealed);
      } catch (error) {
        // GCM cannot tell tampering, a wrong key and a wrong cache key apart; neither can we.
        throw codecFailed(NAME, `decryption with key "${kid}" failed: tampered, or stored under another cache key`, error);
      }
      return utf8Text(new Uint8Array(opened), NAME);
    },
  };
}

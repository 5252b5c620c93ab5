/**
 * Encryption keys from configuration. The first key encrypts; every listed key can still
 * decrypt, so rotation is "prepend a new key, drop the old one after the cache has turned over".
 * Error messages name ids and positions, never key material.
 */
import { CacheError } from '../errors.ts';
import { strictBase64 } from './bytes.ts';

/** AES-256 keys by id; `currentId` names the key new values are encrypted with. */
export interface Keyring {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** Key ids: short, and free of `.` and `:` so they fit in the envelope and the config syntax. */
export const KEY_ID_PATTERN = /^[a-z0-9-]{1,32}$/;
/** AES-256 key length. */
export const KEY_BYTES = 32;

function invalid(message: string): CacheError {
  return new CacheError('invalid_config', `keyring: ${message}`);
}

/** Checks a keyring built by hand the way `parseKeyring` checks configuration. */
export function assertKeyring(keyring: Keyring): void {
  if (keyring.keys.size === 0) throw invalid('has no keys');
  for (const [id, key] of keyring.keys) {
    if (!KEY_ID_PATTERN.test(id)) throw invalid(`key id ${JSON.stringify(id)} must match ${KEY_ID_PATTERN.source}`);
    if (key.length !== KEY_BYTES) throw invalid(`key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
  }
  if (!keyring.keys.has(keyring.currentId)) throw invalid(`current key id ${JSON.stringify(keyring.currentId)} is not in the keyring`);
}

/** Parses `k2:<base64 32 bytes>,k1:<base64 32 bytes>`; the first key is current. */
export function parseKeyring(text: string): Keyring {
  if (text.trim() === '') throw invalid('is empty; expected "<id>:<base64 key>[,<id>:<base64 key>...]"');
  const keys = new Map<string, Uint8Array>();
  let currentId: string | undefined;
  for (const [index, rawEntry] of text.split(',').entries()) {
    const position = `entry ${index + 1}`;
    const entry = rawEntry.trim();
    if (entry === '') throw invalid(`${position} is empty (stray comma?)`);
    const colon = entry.indexOf(':');
    // Without a colon the entry may be a bare key: do not echo it.
    if (colon === -1) throw invalid(`${position} has no ":" between key id and key`);
    const id = entry.slice(0, colon);
    // A long "id" is likely a key pasted in the wrong order: report its length, not its text.
    if (id.length > 32) throw invalid(`${position}: key id is ${id.length} characters; at most 32`);
    if (!KEY_ID_PATTERN.test(id)) {
      throw invalid(`${position}: key id ${JSON.stringify(id)} must match ${KEY_ID_PATTERN.source}`);
    }
    if (keys.has(id)) throw invalid(`${position}: key id "${id}" appears more than once`);
    const key = strictBase64(entry.slice(colon + 1), 'base64');
    if (key === undefined) throw invalid(`${position}: key "${id}" is not canonical padded base64`);
    if (key.length !== KEY_BYTES) {
      throw invalid(`${position}: key "${id}" decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
    }
    keys.set(id, new Uint8Array(key));
    currentId ??= id;
  }
  // The loop ran at least once with a non-empty entry, so a current key exists.
  return { currentId: currentId as string, keys };
}

/** A fresh random AES-256 key as base64, for operators adding a key to the keyring. */
export function generateKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(KEY_BYTES))).toString('base64');
}

/**
 * Lower-case hexadecimal of bytes: digests in cache keys and version headers, signatures and
 * random ids, on both platforms (WebCrypto gives bytes, every consumer wants text).
 */

/** `bytes` as lower-case hex, two digits a byte. */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The bytes that `hex` wrote as `value` (an even number of hex digits, checked by the caller). */
export function fromHex(value: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The first `byteCount` bytes of the SHA-256 of `text`, as hex. */
export async function sha256Hex(text: string, byteCount = 32): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return hex(new Uint8Array(digest, 0, byteCount));
}

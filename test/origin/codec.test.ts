import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CacheError,
  composeCodecs,
  compressCodec,
  encryptCodec,
  generateKey,
  identityCodec,
  parseKeyring,
  type PayloadCodec,
} from '../../origin/cache/index.ts';

const context = { key: 'resource:{acme}:project:1a000000-0000-4000-8000-000000000001' };
const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

/** JSON of `bytes` length whose items repeat, so it compresses well. */
function repetitiveJson(bytes: number): string {
  const row = { id: 'p', tenant: 'acme', status: 'active', tags: ['alpha', 'beta'] };
  const rows = Array.from({ length: Math.ceil(bytes / 60) }, (_, i) => ({ ...row, id: `p${i}` }));
  return JSON.stringify(rows).slice(0, bytes);
}

/** ~`bytes` of JSON of random hex: compresses to about half, so the brotli stream stays large. */
function randomJson(bytes: number): string {
  return JSON.stringify(Array.from({ length: Math.ceil(bytes / 35) }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex')));
}

const payloads: Record<string, string> = {
  ascii: '{"id":"p1","name":"Plain ASCII project"}',
  unicode: JSON.stringify({ name: 'Zürich 東京 👩🏽‍💻 e\u0301', note: '\u2028' }),
  empty: '',
  '200 KB': randomJson(200 * 1024),
};

async function expectCodecFailed(promise: Promise<unknown>, message?: RegExp): Promise<CacheError> {
  const error = await promise.then(
    () => expect.fail('expected codec_failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CacheError);
  expect((error as CacheError).code).toBe('codec_failed');
  if (message) expect((error as CacheError).message).toMatch(message);
  return error as CacheError;
}

/** Flips one bit of byte `index` (negative counts from the end) of a base64url field. */
function flip(field: string, index: number): string {
  const bytes = Buffer.from(field, 'base64url');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return bytes.toString('base64url');
}

describe('compressCodec', () => {
  const codec = compressCodec();

  it.each(Object.entries(payloads))('round-trips %s', async (_, plain) => {
    expect(await codec.decode(await codec.encode(plain, context), context)).toBe(plain);
  });

  it('takes the async zlib path for large values and still round-trips', async () => {
    const stored = await codec.encode(payloads['200 KB'] as string, context);
    expect(stored.startsWith('b:')).toBe(true);
    // Above the 16 KiB sync-decode limit, so decode goes through the threadpool.
    expect(Buffer.from(stored.slice(2), 'base64').length).toBeGreaterThan(16 * 1024);
  });

  it('compresses from exactly the threshold, counted in UTF-8 bytes', async () => {
    const below = 'a'.repeat(1023);
    expect(await codec.encode(below, context)).toBe(`p:${below}`);
    expect(await codec.encode('a'.repeat(1024), context)).toMatch(/^b:[A-Za-z0-9+/]+=*$/);
    // 512 characters but 1024 bytes: the threshold is about storage, not string length.
    expect(await codec.encode('é'.repeat(512), context)).toMatch(/^b:/);
    expect(await codec.encode('é'.repeat(511), context)).toBe(`p:${'é'.repeat(511)}`);
    const small = compressCodec({ thresholdBytes: 10 });
    expect(await small.encode('b'.repeat(9), context)).toMatch(/^p:/);
    expect(await small.encode('b'.repeat(40), context)).toMatch(/^b:/);
  });

  it('makes a repetitive 10 KB JSON value much smaller', async () => {
    const plain = repetitiveJson(10 * 1024);
    const stored = await codec.encode(plain, context);
    expect(stored.startsWith('b:')).toBe(true);
    expect(stored.length).toBeLessThan(plain.length / 5);
    expect(await codec.decode(stored, context)).toBe(plain);
  });

  it('stores incompressible values above the threshold as is rather than growing them', async () => {
    const noise = Buffer.from(crypto.getRandomValues(new Uint8Array(3000))).toString('base64');
    expect(await codec.encode(noise, context)).toBe(`p:${noise}`);
  });

  it('refuses lone surrogates, which UTF-8 would silently replace', async () => {
    await expectCodecFailed(codec.encode('x\uD800y', context), /lone UTF-16 surrogate/);
  });

  it.each([
    ['no prefix', '{"id":1}', /no known prefix/],
    ['non-base64 body', 'b:not base64!', /canonical base64/],
    ['empty stream', 'b:', /corrupt/],
    ['garbage stream', `b:${Buffer.from('definitely not brotli').toString('base64')}`, /corrupt/],
  ])('fails with codec_failed on %s', async (_, stored, message) => {
    await expectCodecFailed(codec.decode(stored, context), message);
  });

  it('fails with codec_failed and a cause on a truncated stream', async () => {
    const stored = await codec.encode(repetitiveJson(10 * 1024), context);
    const bytes = Buffer.from(stored.slice(2), 'base64');
    const truncated = `b:${bytes.subarray(0, bytes.length - 8).toString('base64')}`;
    const error = await expectCodecFailed(codec.decode(truncated, context), /corrupt/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('fails with codec_failed when the stream decodes to invalid UTF-8', async () => {
    const stored = `b:${brotliCompressSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).toString('base64')}`;
    await expectCodecFailed(codec.decode(stored, context), /not valid UTF-8/);
  });

  it.each([-1, 1.5, Number.NaN])('refuses thresholdBytes %s', (thresholdBytes) => {
    expect(() => compressCodec({ thresholdBytes })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('parseKeyring', () => {
  it('takes the first key as current and keeps every key for decryption', () => {
    const keyring = parseKeyring(` k2:${KEY_B} , k1:${KEY_A}\n`);
    expect(keyring.currentId).toBe('k2');
    expect([...keyring.keys.keys()]).toEqual(['k2', 'k1']);
    expect(Buffer.from(keyring.keys.get('k1') as Uint8Array).toString('base64')).toBe(KEY_A);
  });

  const short = Buffer.alloc(16, 7).toString('base64');
  it.each([
    ['', /is empty/],
    ['  ', /is empty/],
    [`k1:${KEY_A},`, /entry 2 is empty/],
    [KEY_A, /entry 1 has no ":"/],
    [`K1:${KEY_A}`, /entry 1: key id "K1" must match/],
    [`k_1:${KEY_A}`, /key id "k_1" must match/],
    [`:${KEY_A}`, /key id "" must match/],
    [`${'k'.repeat(33)}:${KEY_A}`, /key id is 33 characters; at most 32/],
    [`k1:${KEY_A},k2:${KEY_B},k1:${KEY_B}`, /entry 3: key id "k1" appears more than once/],
    ['k1:not*base64', /key "k1" is not canonical padded base64/],
    [`k1:${KEY_A.replace(/=+$/, '')}`, /not canonical padded base64/],
    [`k1:${short}`, /key "k1" decodes to 16 bytes; AES-256 needs exactly 32/],
    [`k1:${Buffer.alloc(33).toString('base64')}`, /decodes to 33 bytes/],
  ])('refuses %j', (text, message) => {
    let error: unknown;
    try {
      parseKeyring(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheError);
    expect((error as CacheError).code).toBe('invalid_config');
    expect((error as CacheError).message).toMatch(message);
    // Configuration errors end up in logs: they must not echo key material.
    for (const secret of [KEY_A, KEY_B, short]) expect((error as CacheError).message).not.toContain(secret.slice(0, 20));
  });

  it('generateKey returns distinct base64 32-byte keys that parse', () => {
    const [one, two] = [generateKey(), generateKey()];
    expect(one).not.toBe(two);
    expect(Buffer.from(one, 'base64')).toHaveLength(32);
    expect(parseKeyring(`k1:${one},k0:${two}`).keys.size).toBe(2);
  });
});

describe('encryptCodec', () => {
  const codec = encryptCodec(parseKeyring(`k1:${KEY_A}`));

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(Object.entries(payloads))('round-trips %s', async (_, plain) => {
    expect(await codec.decode(await codec.encode(plain, context), context)).toBe(plain);
  });

  it('writes a v1 envelope with the kid and a fresh 96-bit IV per value', async () => {
    const [one, two] = [await codec.encode('same', context), await codec.encode('same', context)];
    expect(one).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(one.split('.')[2]).not.toBe(two.split('.')[2]);
    // 4 bytes of plaintext + 16 bytes of GCM tag.
    expect(Buffer.from(one.split('.')[3] as string, 'base64url')).toHaveLength(20);
  });

  it('decrypts values of a rotated-out current key and encrypts new ones with the new key', async () => {
    const old = await codec.encode('written before rotation', context);
    const rotated = encryptCodec(parseKeyring(`k2:${KEY_B},k1:${KEY_A}`));
    expect(await rotated.decode(old, context)).toBe('written before rotation');
    const fresh = await rotated.encode('written after rotation', context);
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(await rotated.decode(fresh, context)).toBe('written after rotation');
    await expectCodecFailed(codec.decode(fresh, context), /unknown key id "k2"/);
  });

  it('binds the cache key: a value copied under another key does not decrypt', async () => {
    const stored = await codec.encode('{"secret":true}', context);
    const error = await expectCodecFailed(codec.decode(stored, { key: 'resource:{evil}:project:x1' }), /decryption/);
    expect(error.cause).toBeDefined();
  });

  it('binds the header: relabelling the kid fails even when both ids hold the same key', async () => {
    const twins = encryptCodec(parseKeyring(`k2:${KEY_A},k1:${KEY_A}`));
    const stored = await twins.encode('payload', context);
    expect(await twins.decode(stored, context)).toBe('payload');
    await expectCodecFailed(twins.decode(stored.replace(/^v1\.k2\./, 'v1.k1.'), context), /decryption with key "k1"/);
  });

  it('fails on the right kid holding the wrong key', async () => {
    const stored = await codec.encode('payload', context);
    await expectCodecFailed(encryptCodec(parseKeyring(`k1:${KEY_B}`)).decode(stored, context), /decryption/);
  });

  it.each([
    ['IV', 2, 0],
    ['ciphertext', 3, 0],
    ['tag', 3, -1],
  ])('fails when one byte of the %s is flipped', async (_, part, byte) => {
    const parts = (await codec.encode('{"balance":100}', context)).split('.');
    parts[part] = flip(parts[part] as string, byte);
    const error = await expectCodecFailed(codec.decode(parts.join('.'), context), /decryption/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  const iv = Buffer.alloc(12, 1).toString('base64url');
  const sealed = Buffer.alloc(20, 2).toString('base64url');
  it.each([
    ['empty', '', /1 parts/],
    ['plain text', '{"id":1}', /1 parts/],
    ['three parts', `v1.k1.${iv}`, /3 parts/],
    ['five parts', `v1.k1.${iv}.${sealed}.x`, /5 parts/],
    ['another version', `v2.k1.${iv}.${sealed}`, /version "v2"/],
    ['a malformed kid', `v1.K1.${iv}.${sealed}`, /key id is malformed/],
    ['an 11-byte IV', `v1.k1.${Buffer.alloc(11).toString('base64url')}.${sealed}`, /IV/],
    ['a padded IV', `v1.k1.${Buffer.alloc(12).toString('base64')}=.${sealed}`, /IV/],
    ['non-base64url ciphertext', `v1.k1.${iv}.ab+/`, /ciphertext/],
    ['ciphertext shorter than the tag', `v1.k1.${iv}.${Buffer.alloc(15).toString('base64url')}`, /shorter than the tag/],
    ['an unknown kid', `v1.k9.${iv}.${sealed}`, /unknown key id "k9"/],
  ])('fails with codec_failed on %s', async (_, stored, message) => {
    await expectCodecFailed(codec.decode(stored, context), message);
  });

  it('imports each CryptoKey once, not per call', async () => {
    // Sealed by the file's codec before counting: it imports its own key on first use, which
    // is this test's count only when no other test of the file ran first.
    const old = await codec.encode('old', context);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const rotated = encryptCodec(parseKeyring(`k2:${KEY_B},k1:${KEY_A}`));
    for (let i = 0; i < 5; i += 1) {
      await rotated.decode(await rotated.encode('new', context), context);
      await rotated.decode(old, context);
    }
    expect(importKey.mock.calls.filter(([format]) => format === 'raw')).toHaveLength(2);
  });

  it('keeps its own copy of the keys', async () => {
    const keyring = parseKeyring(`k1:${KEY_A}`);
    const own = encryptCodec(keyring);
    (keyring.keys.get('k1') as Uint8Array).fill(0);
    expect(await codec.decode(await own.encode('copied', context), context)).toBe('copied');
  });

  it('refuses an inconsistent hand-built keyring', () => {
    const keys = parseKeyring(`k1:${KEY_A}`).keys;
    expect(() => encryptCodec({ currentId: 'k2', keys })).toThrow(/current key id "k2" is not in the keyring/);
    expect(() => encryptCodec({ currentId: 'k1', keys: new Map([['k1', new Uint8Array(16)]]) })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('composeCodecs', () => {
  /** A codec that appends `tag` and logs its calls, to observe order. */
  function tagging(tag: string, log: string[]): PayloadCodec {
    return {
      name: tag,
      encode: async (plain) => (log.push(`encode ${tag}`), plain + tag),
      async decode(stored) {
        log.push(`decode ${tag}`);
        if (!stored.endsWith(tag)) throw new CacheError('codec_failed', `missing ${tag}`);
        return stored.slice(0, -tag.length);
      },
    };
  }

  it('encodes left to right and decodes right to left', async () => {
    const log: string[] = [];
    const codec = composeCodecs(tagging('A', log), tagging('B', log), tagging('C', log));
    expect(codec.name).toBe('A+B+C');
    expect(await codec.encode('x', context)).toBe('xABC');
    expect(await codec.decode('xABC', context)).toBe('x');
    expect(log).toEqual(['encode A', 'encode B', 'encode C', 'decode C', 'decode B', 'decode A']);
  });

  it('compresses before encrypting, and decoding reverses it', async () => {
    const compress = compressCodec();
    const encrypt = encryptCodec(parseKeyring(`k1:${KEY_A}`));
    const codec = composeCodecs(compress, encrypt);
    expect(codec.name).toBe('brotli+aes-256-gcm');
    const plain = repetitiveJson(10 * 1024);
    const stored = await codec.encode(plain, context);
    expect(stored.startsWith('v1.k1.')).toBe(true);
    // Compressed first: the envelope is far smaller than the plaintext.
    expect(stored.length).toBeLessThan(plain.length / 4);
    const inner = await encrypt.decode(stored, context);
    expect(inner.startsWith('b:')).toBe(true);
    expect(await compress.decode(inner, context)).toBe(plain);
    expect(await codec.decode(stored, context)).toBe(plain);
    // Decoding in the wrong order fails rather than returning garbage.
    await expectCodecFailed(composeCodecs(encrypt, compress).decode(stored, context));
  });

  it('turns a third-party codec error into codec_failed with the cause', async () => {
    const cause = new TypeError('boom');
    const broken: PayloadCodec = { name: 'broken', encode: async (p) => p, decode: async () => Promise.reject(cause) };
    const error = await expectCodecFailed(composeCodecs(identityCodec, broken).decode('x', context), /^broken:/);
    expect(error.cause).toBe(cause);
  });

  it('is the identity with no codecs', async () => {
    const codec = composeCodecs();
    expect(await codec.encode('as is', context)).toBe('as is');
    expect(await codec.decode('as is', context)).toBe('as is');
    expect(await identityCodec.decode(await identityCodec.encode('', context), context)).toBe('');
  });
});

/** `common/hex.ts`: the one hex codec of both sides (keys, version headers, purge signatures). */
import { describe, expect, it } from 'vitest';
import { fromHex, hex, sha256Hex } from '../../common/hex.ts';

describe('hex', () => {
  it('writes two lower-case digits a byte and reads them back', () => {
    const bytes = new Uint8Array([0, 1, 15, 16, 127, 128, 254, 255]);
    expect(hex(bytes)).toBe('00010f107f80feff');
    expect(hex(bytes.buffer)).toBe('00010f107f80feff');
    expect(fromHex('00010f107f80feff')).toEqual(bytes);
    expect(fromHex('00010F107F80FEFF')).toEqual(bytes);
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('hashes with SHA-256, truncated to the bytes asked for', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('abc', 8)).toBe('ba7816bf8f01cfea');
  });
});

/**
 * The stored entry format: every entry written reads back the same, whatever its payload holds
 * (newlines included); anything else is refused, so a foreign or damaged value is a miss.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEntry, writeEntry, type Entry } from '../../origin/cache/entry.ts';

const version = fc.stringMatching(/^[a-z0-9]{1,24}$/);
const entry = fc.record({
  freshUntil: fc.integer({ min: 0, max: 2 ** 45 }),
  staleUntil: fc.integer({ min: 0, max: 2 ** 45 }),
  errorUntil: fc.integer({ min: 0, max: 2 ** 45 }),
  versions: fc.array(version, { maxLength: 6 }),
  payload: fc.string({ unit: 'grapheme', maxLength: 200 }),
});

describe('entry format', () => {
  it('reads back every entry it writes', () => {
    fc.assert(
      fc.property(entry, (written: Entry) => {
        expect(readEntry(writeEntry(written))).toEqual(written);
      }),
    );
  });

  it('refuses values it did not write', () => {
    for (const text of ['', 's1', 's1\n1\n2\n3\nv', 's2\n1\n2\n3\nv\n{}', 's1\nx\n2\n3\nv\n{}', 's1\n1\n2\nInfinity\nv\n{}', '{"json":true}']) {
      expect(readEntry(text)).toBeUndefined();
    }
    expect(readEntry('s1\n1\n2\n3\n\n')).toEqual({ freshUntil: 1, staleUntil: 2, errorUntil: 3, versions: [], payload: '' });
  });
});

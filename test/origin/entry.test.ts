/**
 * The stored entry format: every entry written reads back the same, whatever its payload holds
 * (newlines included); anything else is refused, so a foreign or damaged value is a miss.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshPayload, readEntry, writeEntry, type Entry } from '../../origin/cache/entry.ts';

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

  it('gives the payload on the hit path exactly when the entry is fresh past the bound and under the same versions', () => {
    fc.assert(
      fc.property(entry, fc.integer({ min: 0, max: 2 ** 45 }), fc.option(fc.array(version, { maxLength: 6 })), (written: Entry, until, other) => {
        const versions = other ?? written.versions;
        const same = versions.length === written.versions.length && versions.every((v, i) => v === written.versions[i]);
        expect(freshPayload(writeEntry(written), versions, until)).toBe(same && written.freshUntil > until ? written.payload : undefined);
      }),
    );
  });

  it('never gives a payload the full reader would judge otherwise, whatever the text', () => {
    const text = fc.oneof(
      fc.string(),
      entry.map(writeEntry),
      fc.tuple(entry.map(writeEntry), fc.nat(), fc.string({ maxLength: 3 })).map(([t, at, cut]) => t.slice(0, at % (t.length + 1)) + cut + t.slice(at % (t.length + 1) + 1)),
    );
    fc.assert(
      fc.property(text, fc.array(fc.option(fc.oneof(version, fc.string({ maxLength: 3 })), { nil: undefined }), { maxLength: 4 }), fc.integer({ min: 0, max: 2 ** 45 }), (t, versions, until) => {
        const payload = freshPayload(t, versions, until);
        if (payload === undefined) return;
        const full = readEntry(t);
        expect(full).toBeDefined();
        expect(full!.payload).toBe(payload);
        expect(full!.versions).toEqual(versions);
        expect(full!.freshUntil).toBeGreaterThan(until);
      }),
      { numRuns: 2000 },
    );
  });
});

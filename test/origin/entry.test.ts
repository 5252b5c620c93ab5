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

/** The versions a reader asks with: those of the entry half the time, else one difference of each kind. */
function askedFor(written: readonly string[]): fc.Arbitrary<(string | undefined)[]> {
  const at = fc.nat({ max: written.length });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<(string | undefined)[]>([...written]) },
    { weight: 1, arbitrary: fc.constant(written.slice(0, -1)) },
    { weight: 1, arbitrary: version.map((extra) => [...written, extra]) },
    { weight: 1, arbitrary: fc.tuple(at, version).map(([i, v]) => written.map((w, j) => (j === i ? (v === w ? `${v}x` : v) : w))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(at, fc.constantFrom('', undefined, ',', `${written[0] ?? 'a'},`))
        .map(([i, odd]) => [...written.slice(0, i), odd, ...written.slice(i)]),
    },
  );
}

/** A bound around the entry's freshness: just before, at, or just after `freshUntil`, or well before. */
function untilFor(freshUntil: number): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 0, max: freshUntil }), fc.constantFrom(Math.max(0, freshUntil - 1), freshUntil, freshUntil + 1));
}

/** An entry, a reader's versions and bound, each drawn around the entry so every outcome occurs. */
const read = entry.chain((written) => fc.record({ written: fc.constant(written), versions: askedFor(written.versions), until: untilFor(written.freshUntil) }));

/** Written text, or written text with one character of its header changed, cut or doubled, or one header line replaced. */
const damaged = read.chain(({ written, versions, until }) => {
  const text = writeEntry(written);
  const headerEnd = text.length - written.payload.length;
  const edit = fc
    .tuple(fc.nat({ max: headerEnd }), fc.constantFrom('', '\n', ',', 'x', '1', '-', 'Infinity', '\n\n'))
    .map(([i, put]) => text.slice(0, i) + put + text.slice(i + 1));
  const lines = text.split('\n');
  const line = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('Infinity', '-Infinity', 'NaN', '', ' 7 ', '1e3', '0x10', 'x'))
    .map(([i, put]) => lines.map((l, j) => (j === i ? put : l)).join('\n'));
  return fc.record({ text: fc.oneof(fc.constant(text), edit, line), versions: fc.constant(versions), until: fc.constant(until) });
});

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);
/** Versions the hit path can compare in place: each non-empty and without a comma. */
const comparable = (versions: readonly (string | undefined)[]) => versions.every((v) => v !== undefined && v !== '' && !v.includes(','));

/** Runs `property` `numRuns` times, failing unless every run reached the end of its assertions. */
function assertEveryRun<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void, numRuns: number): void {
  let asserted = 0;
  fc.assert(
    fc.property(arbitrary, (value) => {
      check(value);
      asserted++;
    }),
    { numRuns },
  );
  expect(asserted).toBe(numRuns);
}

describe('entry format', () => {
  it('reads back every entry it writes', () => {
    assertEveryRun(entry, (written: Entry) => expect(readEntry(writeEntry(written))).toEqual(written), 100);
  });

  it('refuses values it did not write', () => {
    for (const text of ['', 's1', 's1\n1\n2\n3\nv', 's2\n1\n2\n3\nv\n{}', 's1\nx\n2\n3\nv\n{}', 's1\n1\n2\nInfinity\nv\n{}', '{"json":true}']) {
      expect(readEntry(text)).toBeUndefined();
    }
    expect(readEntry('s1\n1\n2\n3\n\n')).toEqual({ freshUntil: 1, staleUntil: 2, errorUntil: 3, versions: [], payload: '' });
  });

  it('gives the payload on the hit path exactly when the entry is fresh past the bound and under the same versions', () => {
    const outcomes = { given: 0, stale: 0, otherVersions: 0 };
    assertEveryRun(
      read,
      ({ written, versions, until }) => {
        const same = sameList(versions, written.versions);
        const fresh = written.freshUntil > until;
        expect(freshPayload(writeEntry(written), versions, until)).toBe(same && fresh ? written.payload : undefined);
        outcomes[!same ? 'otherVersions' : fresh ? 'given' : 'stale']++;
      },
      600,
    );
    // Each outcome drawn often (expected: about half given, a sixth or more of each other).
    for (const count of Object.values(outcomes)) expect(count).toBeGreaterThan(60);
  });

  it('gives a payload exactly when the full reader finds the entry fresh under the same versions, whatever the text', () => {
    const outcomes = { given: 0, refusedText: 0, refusedEntry: 0 };
    assertEveryRun(
      damaged,
      ({ text, versions, until }) => {
        const full = readEntry(text);
        const judged = full && full.freshUntil > until && sameList(full.versions, versions) && comparable(versions) ? full.payload : undefined;
        expect(freshPayload(text, versions, until)).toBe(judged);
        outcomes[judged !== undefined ? 'given' : full ? 'refusedEntry' : 'refusedText']++;
      },
      2000,
    );
    for (const count of Object.values(outcomes)) expect(count).toBeGreaterThan(100);
  });
});

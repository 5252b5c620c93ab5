/**
 * The stored entry: its time windows and the invalidation versions it was written under travel
 * with the payload, so every process judges freshness the same way. Text format, one header
 * line per field, payload last (it may contain anything):
 *   s1\n<freshUntil>\n<staleUntil>\n<errorUntil>\n<version,version,...>\n<payload>
 */
import type { EntryWindows } from './policy.ts';

const FORMAT = 's1';

/** A decoded entry; `payload` is still encoded by the policy's codec. */
export interface Entry extends EntryWindows {
  versions: string[];
  payload: string;
}

/** Serialises an entry. Versions never contain `,` or newlines (the engine makes them). */
export function writeEntry(entry: Entry): string {
  return `${FORMAT}\n${entry.freshUntil}\n${entry.staleUntil}\n${entry.errorUntil}\n${entry.versions.join(',')}\n${entry.payload}`;
}

/** Parses an entry; `undefined` for anything not written by `writeEntry` (treated as a miss). */
export function readEntry(text: string): Entry | undefined {
  // Runs on every cache hit: plain index arithmetic, no intermediate arrays.
  if (!text.startsWith(`${FORMAT}\n`)) return undefined;
  const a = FORMAT.length;
  const b = text.indexOf('\n', a + 1);
  const c = b < 0 ? -1 : text.indexOf('\n', b + 1);
  const d = c < 0 ? -1 : text.indexOf('\n', c + 1);
  const e = d < 0 ? -1 : text.indexOf('\n', d + 1);
  if (e < 0) return undefined;
  const freshUntil = Number(text.slice(a + 1, b));
  const staleUntil = Number(text.slice(b + 1, c));
  const errorUntil = Number(text.slice(c + 1, d));
  if (!Number.isFinite(freshUntil) || !Number.isFinite(staleUntil) || !Number.isFinite(errorUntil)) return undefined;
  const versions = d + 1 === e ? [] : text.slice(d + 1, e).split(',');
  return { freshUntil, staleUntil, errorUntil, versions, payload: text.slice(e + 1) };
}

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
  const cuts: number[] = [];
  let at = -1;
  for (let i = 0; i < 5; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return undefined;
    cuts.push(at);
  }
  if (text.slice(0, cuts[0]) !== FORMAT) return undefined;
  const field = (i: number) => text.slice(cuts[i]! + 1, cuts[i + 1]);
  const freshUntil = Number(field(0));
  const staleUntil = Number(field(1));
  const errorUntil = Number(field(2));
  if (!Number.isFinite(freshUntil) || !Number.isFinite(staleUntil) || !Number.isFinite(errorUntil)) return undefined;
  const versions = field(3);
  return { freshUntil, staleUntil, errorUntil, versions: versions === '' ? [] : versions.split(','), payload: text.slice(cuts[4]! + 1) };
}

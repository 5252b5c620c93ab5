/**
 * The stored entry: its time windows and the invalidation versions it was written under travel
 * with the payload, so every process judges freshness the same way. Text format, one header
 * line per field, payload last (it may contain anything):
 *   s1\n<freshUntil>\n<staleUntil>\n<errorUntil>\n<version,version,...>\n<payload>
 */
import type { EntryWindows } from './policy.ts';

const FORMAT = 's1';
const HEADER = `${FORMAT}\n`;

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
  // Runs on every read that is not a fresh hit (see `freshPayload`): plain index arithmetic.
  if (!text.startsWith(HEADER)) return undefined;
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

const NEWLINE = 10;
const COMMA = 44;

/** Index of the newline ending the run of 1–15 decimal digits at `at`; -1 for anything else. */
function digitsEnd(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i > at && i - at <= 15 && text.charCodeAt(i) === NEWLINE ? i : -1;
}

/**
 * The hit path's reader: the (still encoded) payload of `text` when it is an entry written
 * under exactly `versions` and fresh until after `until`; otherwise `undefined`, and
 * `readEntry` decides. Reads in place: nothing is allocated but the payload.
 */
export function freshPayload(text: string, versions: readonly (string | undefined)[], until: number): string | undefined {
  if (!text.startsWith(HEADER)) return undefined;
  const start = HEADER.length;
  const freshEnd = digitsEnd(text, start);
  if (freshEnd < 0) return undefined;
  let freshUntil = 0;
  for (let i = start; i < freshEnd; i++) freshUntil = freshUntil * 10 + text.charCodeAt(i) - 48;
  if (freshUntil <= until) return undefined;
  const staleEnd = digitsEnd(text, freshEnd + 1);
  const errorEnd = staleEnd < 0 ? -1 : digitsEnd(text, staleEnd + 1);
  if (errorEnd < 0) return undefined;
  let at = errorEnd + 1;
  if (versions.length === 0) return text.charCodeAt(at) === NEWLINE ? text.slice(at + 1) : undefined;
  for (let i = 0; i < versions.length; i++) {
    const version = versions[i];
    if (version === undefined || !text.startsWith(version, at)) return undefined;
    at += version.length;
    if (text.charCodeAt(at) !== (i === versions.length - 1 ? NEWLINE : COMMA)) return undefined;
    at++;
  }
  return text.slice(at);
}

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

/**
 * The hit path's reader: the (still encoded) payload of `text` when it is an entry written
 * under exactly `versions` and fresh until after `until`; otherwise `undefined`, and
 * `readEntry` decides. It parses as `readEntry` does, but compares the versions in place
 * instead of splitting them, and allocates nothing but the payload.
 *
 * No `charCodeAt` here: once any module defines a `String` subclass (ioredis 6 does, for RESP3
 * verbatim strings), V8 takes its slow path for it, about 10 ns a call against 1. Measured on
 * this reader: 0.9 µs a hit with it, against 0.15 µs before the subclass existed.
 */
export function freshPayload(text: string, versions: readonly (string | undefined)[], until: number): string | undefined {
  if (!text.startsWith(HEADER)) return undefined;
  const a = FORMAT.length;
  const b = text.indexOf('\n', a + 1);
  if (b < 0) return undefined;
  const freshUntil = Number(text.slice(a + 1, b));
  if (!(freshUntil > until) || freshUntil === Infinity) return undefined;
  const c = text.indexOf('\n', b + 1);
  const d = c < 0 ? -1 : text.indexOf('\n', c + 1);
  const e = d < 0 ? -1 : text.indexOf('\n', d + 1);
  if (e < 0 || !Number.isFinite(Number(text.slice(b + 1, c))) || !Number.isFinite(Number(text.slice(c + 1, d)))) return undefined;
  const last = versions.length - 1;
  let at = d + 1;
  if (last < 0) return at === e ? text.slice(e + 1) : undefined;
  for (let i = 0; i <= last; i++) {
    const version = versions[i];
    // What `readEntry` would split off here: non-empty, no comma, ending at a comma or the line.
    if (version === undefined || version.length === 0 || version.includes(',') || !text.startsWith(version, at)) return undefined;
    at += version.length;
    if (i === last ? at !== e : at >= e || !text.startsWith(',', at)) return undefined;
    at++;
  }
  return text.slice(e + 1);
}

/**
 * Cache-Control as RFC 9111 §5.2 writes it: `token [ "=" ( token / quoted-string ) ]`, comma
 * separated, directive names compared case-insensitively, both argument forms accepted (§5.2).
 * A member that does not parse is ignored; a directive given twice with different arguments is
 * reported, since §4.2.1 lets a cache treat such freshness information as stale.
 */

/** Directive name (lower case) → its argument, unquoted, or `true` when it has none. */
export type Directives = Map<string, string | true>;

/** What a Cache-Control field value says. */
export interface ParsedCacheControl {
  directives: Directives;
  /** Directives that appeared more than once with different arguments. */
  conflicting: Set<string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Parses one or more (comma-joined) Cache-Control field values. */
export function parseCacheControl(value: string | null | undefined): ParsedCacheControl {
  const directives: Directives = new Map();
  const conflicting = new Set<string>();
  const text = value ?? '';
  let i = 0;
  const skipToNextMember = () => {
    let quoted = false;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (quoted && ch === '\\') i++;
      else if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) return;
    }
  };
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
    const start = i;
    while (i < text.length && TCHAR.test(text[i]!)) i++;
    const name = text.slice(start, i).toLowerCase();
    let argument: string | true | undefined = true;
    if (text[i] === '=') {
      i++;
      argument = readArgument();
    }
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (!name || argument === undefined || (i < text.length && text[i] !== ',')) {
      skipToNextMember();
      continue;
    }
    const earlier = directives.get(name);
    if (earlier === undefined) directives.set(name, argument);
    else if (earlier !== argument) conflicting.add(name);
  }
  return { directives, conflicting };

  function readArgument(): string | undefined {
    if (text[i] !== '"') {
      const start = i;
      while (i < text.length && TCHAR.test(text[i]!)) i++;
      return i > start ? text.slice(start, i) : undefined;
    }
    let out = '';
    for (i++; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') i++;
      out += text[i] ?? '';
    }
    return undefined; // an unterminated quoted-string
  }
}

/** The largest delta-seconds a cache has to represent; larger values mean this (RFC 9111 §1.2.2). */
export const DELTA_SECONDS_MAX = 2_147_483_648;

/** `value` as delta-seconds (§1.2.2: digits only), capped at DELTA_SECONDS_MAX; `undefined` when invalid. */
export function deltaSeconds(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) return undefined;
  return Math.min(Number(value), DELTA_SECONDS_MAX);
}

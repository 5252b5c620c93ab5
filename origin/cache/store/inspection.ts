/**
 * What a store can tell an operator about what it holds (`strata inspect`, `strata stats`):
 * read-only, bounded, never on a request's path. Optional on the store contract: a store that
 * cannot answer leaves it out and the operator is told so.
 */

/** Keys counted by prefix over a bounded scan of every primary. */
export interface StoreCensus {
  /** Primaries asked (1 for a standalone server or process memory). */
  readonly nodes: number;
  /** Keys the server(s) hold in all (DBSIZE summed over primaries). */
  readonly totalKeys: number;
  /** Keys the scan looked at; below `totalKeys` when the budget ran out first. */
  readonly scannedKeys: number;
  /** True when every key was looked at, so `counts` are exact; otherwise they are a sample. */
  readonly complete: boolean;
  /** Keys seen per prefix asked for, plus `other` for the rest. */
  readonly counts: Readonly<Record<string, number>>;
  /** Memory the server(s) use, in bytes (INFO memory `used_memory`, summed); undefined where unknown. */
  readonly usedMemoryBytes: number | undefined;
  /** The memory limit (`maxmemory`, summed; 0 means none), and the eviction policy of the first primary. */
  readonly maxMemoryBytes: number | undefined;
  readonly evictionPolicy: string | undefined;
}

/** Read-only views of a store's contents, for operators. */
export interface StoreInspection {
  /**
   * Time to live left on `key`, in milliseconds: `undefined` when the key is absent, `Infinity`
   * when it never expires.
   */
  ttl(key: string): Promise<number | undefined>;
  /** Keys matching a glob `pattern` (Redis `MATCH` syntax), looking at no more than `budget` keys per primary. */
  scan(pattern: string, budget: number): Promise<{ keys: string[]; complete: boolean }>;
  /** Counts keys by `prefixes`, looking at no more than `budget` keys per primary, and reads memory use. */
  census(prefixes: readonly string[], budget: number): Promise<StoreCensus>;
}

/** Which of `prefixes` `key` starts with (the longest), or `other`. */
export function prefixOf(key: string, prefixes: readonly string[]): string {
  let found = 'other';
  for (const prefix of prefixes) if (key.startsWith(prefix) && (found === 'other' || prefix.length > found.length)) found = prefix;
  return found;
}

/** Glob match with Redis `MATCH` rules for `*`, `?` and `\` escapes (no classes): the memory store's scan. */
export function globMatches(pattern: string, key: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += escapeRegExp(char);
  }
  return new RegExp(`${source}$`).test(key);
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

/**
 * Decoded copies of the entries this process read last, keyed by cache key and checked against
 * the exact bytes Redis returned. A hit is still one GET: when the reply is byte for byte the
 * one decoded last time, its parsed header and value are used again instead of being decoded
 * anew (the header parsed, the codec undone, the JSON parsed: about 2 µs for a 1 KB entry with
 * no codec, far more for a compressed one). Nothing here can be stale: a different reply is a
 * different entry, and the entry's versions and windows are judged on every read as before.
 *
 * Callers of one key receive the same value object; values are treated as immutable, as they
 * already were for reads that joined one round trip and for the memory tier.
 */
import { LRUCache } from 'lru-cache';
import type { Entry } from '../entry.ts';

/** A decoded entry: the stored text it came from, its header, and its value. */
export interface Decoded {
  readonly raw: string;
  readonly entry: Entry;
  readonly usable: { value: unknown };
}

/** Bounds of the decoded copies. */
export interface DecodedValuesOptions {
  /**
   * Most text held, in characters, summed over entries: each counts its stored text or its
   * JSON, whichever is longer (a compressed entry's value is many times its stored size).
   * A parsed value takes a few bytes of heap per JSON character: 2–9 measured here.
   */
  maxChars: number;
  /** Most entries held. */
  maxEntries: number;
}

/** Hot entries of a busy process, at a few tens of MB at most: 4 Mi characters, 10 000 entries. */
export const DEFAULT_DECODED: DecodedValuesOptions = { maxChars: 4 * 1024 * 1024, maxEntries: 10_000 };

/** Last decoded copy per key, least recently used first out. */
export class DecodedValues {
  readonly #lru: LRUCache<string, Decoded>;

  constructor(options: DecodedValuesOptions) {
    this.#lru = new LRUCache<string, Decoded>({ max: options.maxEntries, maxSize: options.maxChars });
  }

  /** The copy decoded from exactly `raw` under `key`, if it is still held. */
  get(key: string, raw: string): Decoded | undefined {
    const held = this.#lru.get(key);
    return held !== undefined && held.raw === raw ? held : undefined;
  }

  /**
   * Holds the copy decoded from `raw`, whose JSON was `chars` long; one larger than the whole
   * bound is not held (and drops the key's previous copy).
   */
  set(key: string, raw: string, entry: Entry, usable: { value: unknown }, chars: number): void {
    this.#lru.set(key, { raw, entry, usable }, { size: Math.max(1, raw.length, chars) });
  }
}

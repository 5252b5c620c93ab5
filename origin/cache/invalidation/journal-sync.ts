/**
 * This process's side of the invalidation journal (`InvalidationJournal`): it records the bumps
 * that did not land, settles them once one does, and reads the journal for the ones other
 * processes recorded; `invalidations.ts` pends their keys, so that every process reads their
 * tenants from the source and retries.
 *
 * - A record made before a bump was sent is settled when that bump lands: the bump covers every
 *   write before it. Records carry tokens, so a record made again meanwhile stays.
 * - A record that could not be written (PostgreSQL failing too) is tried again with the next
 *   retry of its bump.
 * - A record that left the journal was settled by a bump that landed elsewhere: the keys this
 *   process held pending for it alone are let go, instead of every process bumping once more.
 */
import type { ErrorListener } from '../target.ts';
import type { InvalidationJournal, JournalEntry } from './journal.ts';

/** Most records read per poll. */
const PAGE = 1000;

/** What one read of the journal found: records new to this process, and keys settled elsewhere. */
export interface JournalRead {
  adopted: JournalEntry[];
  gone: string[];
}

/** The records this process knows of, and how it keeps up with the journal. */
export class JournalSync {
  readonly #journal: InvalidationJournal;
  readonly #onError: ErrorListener;
  // Records known here by version key, with the read sequence they were learned in.
  readonly #known = new Map<string, { entry: JournalEntry; seq: number }>();
  // Version keys whose record could not be written.
  readonly #unrecorded = new Set<string>();
  #seq = 0;

  constructor(journal: InvalidationJournal, onError: ErrorListener) {
    this.#journal = journal;
    this.#onError = onError;
  }

  /** What a bump of `keys` would settle on landing: the records known now, and keys unrecorded. */
  before(keys: readonly string[]): { entries: JournalEntry[]; unrecorded: string[] } {
    const entries: JournalEntry[] = [];
    const unrecorded: string[] = [];
    for (const key of keys) {
      const known = this.#known.get(key);
      if (known) entries.push(known.entry);
      if (this.#unrecorded.has(key)) unrecorded.push(key);
    }
    return { entries, unrecorded };
  }

  /** Records a failed bump; `retry` records only keys whose earlier record could not be written. */
  async record(tenant: string, keys: readonly string[], retry: boolean): Promise<void> {
    const wanted = [...new Set(retry ? keys.filter((key) => this.#unrecorded.has(key)) : keys)];
    if (wanted.length === 0) return;
    try {
      const entries = await this.#journal.record(tenant, wanted);
      // Taken once written: a read of the journal that started before may not show them.
      const seq = this.#seq;
      for (const entry of entries) this.#known.set(entry.key, { entry, seq });
      for (const key of wanted) this.#unrecorded.delete(key);
    } catch (error) {
      for (const key of wanted) this.#unrecorded.add(key);
      this.#onError(error, { operation: 'journal' });
    }
  }

  /** A bump landed: settles what `before` returned for it. */
  async landed(before: { entries: JournalEntry[]; unrecorded: string[] }): Promise<void> {
    for (const key of before.unrecorded) this.#unrecorded.delete(key);
    if (before.entries.length === 0) return;
    try {
      await this.#journal.settle(before.entries);
      for (const entry of before.entries) if (this.#known.get(entry.key)?.entry === entry) this.#known.delete(entry.key);
    } catch (error) {
      // Left in the journal: some process bumps once more, which only invalidates again.
      this.#onError(error, { operation: 'journal' });
    }
  }

  /**
   * Reads the journal: the records this process did not know (to pend) and the keys whose
   * records left it (settled elsewhere); `undefined` when the read failed (reported).
   */
  async read(): Promise<JournalRead | undefined> {
    // Records written from here on carry this sequence or a later one: this read may miss them.
    const seq = ++this.#seq;
    let entries: JournalEntry[];
    try {
      entries = await this.#journal.list(PAGE);
    } catch (error) {
      this.#onError(error, { operation: 'journal' });
      return undefined;
    }
    const adopted: JournalEntry[] = [];
    for (const entry of entries) {
      if (this.#known.get(entry.key)?.entry.token === entry.token) continue;
      this.#known.set(entry.key, { entry, seq });
      adopted.push(entry);
    }
    const gone: string[] = [];
    if (entries.length === PAGE) return { adopted, gone }; // not the whole journal: absence proves nothing
    const listed = new Set(entries.map((entry) => entry.key));
    for (const [key, known] of this.#known) {
      if (listed.has(key) || known.seq >= seq || this.#unrecorded.has(key)) continue;
      this.#known.delete(key);
      gone.push(key);
    }
    return { adopted, gone };
  }
}

/**
 * This process's side of the invalidation journal (`InvalidationJournal`): it records the bumps
 * that did not land, settles them once one does, and reads the journal for the ones other
 * processes recorded, so that every process reads their tenants from the source and retries.
 *
 * - A record made before a bump was sent is settled when that bump lands: the bump covers every
 *   write before it. Records carry tokens, so a record made again meanwhile stays.
 * - A record that could not be written (PostgreSQL failing too) is tried again with the next
 *   retry of its bump.
 * - A record that left the journal was settled by a bump that landed elsewhere: the keys this
 *   process held pending for it alone are let go, instead of every process bumping once more.
 * - The journal is read every `pollMs`, and before any read once that is overdue: a process
 *   that was frozen (a Lambda between invocations) runs no timers, and must not serve from
 *   Redis on thaw before it has caught up.
 */
import type { InvalidationJournal, JournalEntry } from './interface.ts';
import type { ErrorListener } from './targets.ts';

/** Most records read per poll. */
const PAGE = 1000;

/** What the journal's reader does to this process's pending invalidations. */
export interface JournalHooks {
  /** Records other processes made: pend their keys here too. */
  adopt(entries: readonly JournalEntry[]): void;
  /** A mark of the pending set, taken before the journal is read (`PendingInvalidations.mark`). */
  mark(): number;
  /** Records settled elsewhere: let go of these keys unless pended again after `mark`. */
  settled(keys: readonly string[], mark: number): void;
  onError: ErrorListener;
}

/** The records this process knows of, and how it keeps up with the journal. */
export class JournalSync {
  readonly #journal: InvalidationJournal;
  readonly #pollMs: number;
  readonly #hooks: JournalHooks;
  // Records known here by version key, with the poll sequence they were learned in.
  readonly #known = new Map<string, { entry: JournalEntry; seq: number }>();
  // Version keys whose record could not be written.
  readonly #unrecorded = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  #seq = 0;
  #polledAt = Number.NEGATIVE_INFINITY;
  #polling: Promise<void> | undefined;

  constructor(journal: InvalidationJournal, pollMs: number, hooks: JournalHooks) {
    this.#journal = journal;
    this.#pollMs = pollMs;
    this.#hooks = hooks;
    this.#timer = setInterval(() => void this.poll(), pollMs);
    this.#timer.unref();
  }

  /** Whether reads must wait for a poll: none finished for two intervals (a freeze, a stall). */
  overdue(now: number): boolean {
    return now - this.#polledAt > 2 * this.#pollMs;
  }

  /** Reads the journal (one read at a time; callers share it). */
  poll(): Promise<void> {
    this.#polling ??= this.#read().finally(() => {
      this.#polling = undefined;
      // A failed read counts too: reads must not all wait on a database that is down.
      this.#polledAt = Date.now();
    });
    return this.#polling;
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
      this.#hooks.onError(error, { operation: 'journal' });
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
      this.#hooks.onError(error, { operation: 'journal' });
    }
  }

  /** Stops polling; waits for a read in flight. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }

  async #read(): Promise<void> {
    // Records written from here on carry this sequence or a later one: this read may miss them.
    const seq = ++this.#seq;
    const mark = this.#hooks.mark();
    let entries: JournalEntry[];
    try {
      entries = await this.#journal.list(PAGE);
    } catch (error) {
      this.#hooks.onError(error, { operation: 'journal' });
      return;
    }
    const adopted: JournalEntry[] = [];
    for (const entry of entries) {
      if (this.#known.get(entry.key)?.entry.token === entry.token) continue;
      this.#known.set(entry.key, { entry, seq });
      adopted.push(entry);
    }
    if (adopted.length > 0) this.#hooks.adopt(adopted);
    if (entries.length === PAGE) return; // not the whole journal: absence proves nothing
    const listed = new Set(entries.map((entry) => entry.key));
    const gone: string[] = [];
    for (const [key, known] of this.#known) {
      if (listed.has(key) || known.seq >= seq || this.#unrecorded.has(key)) continue;
      this.#known.delete(key);
      gone.push(key);
    }
    if (gone.length > 0) this.#hooks.settled(gone, mark);
  }
}

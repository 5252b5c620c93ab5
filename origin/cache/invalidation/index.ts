/** Invalidation by versions: version-key naming, the journal contract, and the memory tier's bus. */
export { VERSION_KEY_PREFIX, versionKey } from './versions.ts';
export type { InvalidationJournal, JournalEntry } from './journal.ts';
export { createRedisBus, INVALIDATION_CHANNEL, type InvalidationBus, type InvalidationMessage } from './bus.ts';

/**
 * The engine's write path: write-through (the source first, then the cache), stores of values
 * under the current versions of their scopes, and deletes. Each stops later reads from joining
 * a read of the same key that started before it. A cache write that fails leaves the source
 * right and Redis possibly wrong: its tenants are voided (`../invalidation/`) instead.
 */
import type { EngineContext } from '../context.ts';
import { publish } from '../invalidation/bus.ts';
import type { Invalidations } from '../invalidation/invalidations.ts';
import { scopeKeys } from '../invalidation/versions.ts';
import type { CacheEntryRef, CacheTarget } from '../target.ts';
import { currentVersions, entryWrite } from './entry-write.ts';

/** Writes and deletes. */
export class Writes {
  readonly #context: EngineContext;
  readonly #invalidations: Invalidations;

  constructor(context: EngineContext, invalidations: Invalidations) {
    this.#context = context;
    this.#invalidations = invalidations;
  }

  /** `CacheEngine.writeThrough`. */
  async writeThrough<T>(target: CacheTarget, write: () => Promise<T>): Promise<T> {
    const value = await write();
    await this.setMany([{ target, value }]);
    return value;
  }

  /** `CacheEngine.setMany`. */
  async setMany(items: readonly { target: CacheTarget; value: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    const { store, guard, joined, memory, bus, onError } = this.#context;
    const now = Date.now();
    const policy = items[0]!.target.policy;
    const keys = items.map((item) => item.target.key);
    const layout = items.map((item) => scopeKeys(item.target)); // throws for an invalid tenant or tag
    const forget = () => keys.forEach((key) => joined.forget(key));
    forget();
    try {
      const versions = await guard.run(policy, 'set', () => currentVersions(store, layout));
      const writes = await Promise.all(items.map((item, i) => entryWrite(item.target, item.value, versions[i]!, now, onError)));
      const stored = writes.filter((write) => write !== undefined);
      if (stored.length > 0) await guard.run(policy, 'set', () => store.setMany(stored));
      items.forEach((item, i) => {
        const write = writes[i];
        if (write && item.target.policy.memory) memory?.set(item.target.key, item.target.tenant, item.value, write.freshUntil, now);
      });
      const unencodable = items.filter((_, i) => writes[i] === undefined).map((item) => item.target);
      if (unencodable.length > 0) await this.delete(unencodable);
      await publish(bus, { keys }, onError);
    } catch {
      // The store failed (the guard reported it): the source has the new value and Redis may
      // still hold the old entry.
      await this.#invalidations.voidTenants(items.map((item) => item.target.tenant));
    } finally {
      forget();
    }
  }

  /** `CacheEngine.delete`. */
  async delete(entries: readonly CacheEntryRef[]): Promise<boolean> {
    const { store, guard, joined, memory, bus, onError } = this.#context;
    const keys = entries.map((entry) => entry.key);
    memory?.dropKeys(keys);
    for (const key of keys) joined.forget(key);
    const done = await guard.attempt('delete', () => store.delete(...keys));
    if (!done) await this.#invalidations.voidTenants(entries.map((entry) => entry.tenant));
    for (const key of keys) joined.forget(key);
    await publish(bus, { keys }, onError);
    return done;
  }
}

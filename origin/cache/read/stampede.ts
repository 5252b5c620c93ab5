/**
 * Stampede protection. In one process, concurrent loads of a key share one promise. Across
 * processes (N Lambda instances), a short Redis lock owned by a random token decides who loads;
 * the others wait for the entry to appear, polling with exponential backoff (one poller per key
 * per process), and load themselves only when the bounded wait runs out.
 */
import { randomBytes } from 'node:crypto';
import type { CacheStore } from '../store/interface.ts';

/** Lock timing. */
export interface LockOptions {
  /** The lock expires by itself after this long, should its holder die mid-load. */
  ttlMs: number;
  /** Longest a process waits for another's load before loading itself. */
  waitMs: number;
}

/** Defaults: a loader rarely takes a second; waiting longer than two only delays the caller. */
export const DEFAULT_LOCK: LockOptions = { ttlMs: 5_000, waitMs: 2_000 };

const BACKOFF_MS = [5, 10, 20, 40, 80, 100];

/**
 * Runs one flight (a read or a load) per key at a time in this process. Each flight records the
 * tenant of its key, so that an invalidation can stop later callers from joining the tenant's
 * flights without reading tenants out of keys.
 */
export class SingleFlight {
  readonly #inflight = new Map<string, { tenant: string; flight: Promise<unknown> }>();

  /** Whether a flight of `key` is running. */
  has(key: string): boolean {
    return this.#inflight.has(key);
  }

  /** Stops new callers from joining the current flight of `key` (it still completes). */
  forget(key: string): void {
    this.#inflight.delete(key);
  }

  /** `forget` for every flight of `tenant`. */
  forgetTenant(tenant: string): void {
    for (const [key, running] of this.#inflight) if (running.tenant === tenant) this.#inflight.delete(key);
  }

  /** The running flight of `key`, to join; `undefined` when none. */
  current<T>(key: string): Promise<T> | undefined {
    return this.#inflight.get(key)?.flight as Promise<T> | undefined;
  }

  /** Makes `flight` the running flight of `key` (of `tenant`); pair with `leave` once it settles. */
  enter(key: string, tenant: string, flight: Promise<unknown>): void {
    this.#inflight.set(key, { tenant, flight });
  }

  /** Ends `flight` as the running flight of `key` (unless a later one replaced it). */
  leave(key: string, flight: Promise<unknown>): void {
    if (this.#inflight.get(key)?.flight === flight) this.#inflight.delete(key);
  }

  /** Joins the running flight of `key`, or starts `run` as that flight. */
  do<T>(key: string, tenant: string, run: () => Promise<T>): Promise<T> {
    const running = this.current<T>(key);
    if (running) return running;
    const started = run();
    this.enter(key, tenant, started);
    const settle = () => this.leave(key, started);
    started.then(settle, settle);
    return started;
  }
}

/** `lock:` + key — the load lock of one entry, in the entry's slot. */
export function lockKey(key: string): string {
  return `lock:${key}`;
}

/** A held lock; `release` never frees a lock that expired and was taken by another holder. */
export interface HeldLock {
  release(): Promise<void>;
}

/** Tries to take the load lock of `key`; `undefined` when someone else holds it. */
export async function tryLock(store: CacheStore, key: string, options: LockOptions): Promise<HeldLock | undefined> {
  const token = randomBytes(16).toString('hex');
  const name = lockKey(key);
  if (!(await store.setIfAbsent(name, token, options.ttlMs))) return undefined;
  return {
    release: async () => {
      await store.deleteIfEquals(name, token);
    },
  };
}

/**
 * Polls `check` with backoff until it yields a value or `waitMs` runs out. Each poll is one
 * round trip; the schedule keeps a one-second wait under about fifteen polls.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, waitMs: number): Promise<T | undefined> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const delay = Math.min(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!, deadline - Date.now());
    if (delay <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, delay));
    const found = await check();
    if (found !== undefined) return found;
  }
}

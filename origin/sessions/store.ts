/**
 * The session store, built by the app on the cache engine's store, breaker and codec: write-through to the source of truth, then Redis;
 * a sliding idle TTL refreshed on access but at most once per `touchIntervalMs`; an absolute
 * lifetime cap; logout of one session or of all a user's sessions (an index set); creation
 * waits for a replica (`WAIT`) so an acknowledged login survives a failover. Values are
 * encrypted by the codec before they leave the process; Redis failures fall back to the source.
 * A logout holds even when Redis cannot delete its copy (`revocations.ts`); an entry that does
 * not decode is a miss, never a store failure (`decoding.ts`).
 */
import { sessionIndexKey, sessionKey } from '../../common/keys.ts';
import { noMetrics, type CacheMetrics, type CacheStore, type PayloadCodec, type StoreBreaker } from '../cache/index.ts';
import { SessionDecoder } from './decoding.ts';
import { DEFAULT_SESSION_OPTIONS, type Revocation, type Session, type SessionOptions, type SessionOutcome, type SessionSource } from './interface.ts';
import { Revocations } from './revocations.ts';
import { issueToken, readToken } from './token.ts';

export { DEFAULT_SESSION_OPTIONS } from './interface.ts';
export type { Revocation, Session, SessionOptions, SessionOutcome, SessionSource } from './interface.ts';

/** Creates, reads and ends sessions. */
export class SessionStore {
  readonly #store: CacheStore;
  readonly #breaker: StoreBreaker;
  readonly #source: SessionSource;
  readonly #codec: PayloadCodec;
  readonly #options: SessionOptions;
  readonly #onError: (error: unknown, operation: string) => void;
  readonly #decoder: SessionDecoder;
  readonly #revocations: Revocations;
  readonly #metrics: CacheMetrics;

  constructor(config: {
    store: CacheStore;
    breaker: StoreBreaker;
    source: SessionSource;
    codec: PayloadCodec;
    options?: SessionOptions;
    onError?: (error: unknown, operation: string) => void;
    /** Hears of an entry that could not be decoded, once per distinct reason. */
    onUndecodable?: (error: Error) => void;
    /** Where each read's outcome and each load from the source are counted, labelled `session`. */
    metrics?: CacheMetrics;
  }) {
    this.#store = config.store;
    this.#breaker = config.breaker;
    this.#source = config.source;
    this.#codec = config.codec;
    this.#options = config.options ?? DEFAULT_SESSION_OPTIONS;
    this.#onError = config.onError ?? (() => {});
    this.#metrics = config.metrics ?? noMetrics;
    this.#decoder = new SessionDecoder(config.codec, config.onUndecodable ?? (() => {}));
    this.#revocations = new Revocations(
      {
        list: (limit) => this.#source.revocations(limit),
        settle: (sids) => this.#source.settle(sids),
        purge: (revoked) => this.#purge(revoked),
        onError: (error, operation) => this.#onError(error, operation),
      },
      this.#options.revocationPollMs ?? 2000,
    );
  }

  /** Reads the open revocations, then keeps reading them in the background until `close`. */
  start(): Promise<void> {
    return this.#revocations.start();
  }

  /** Reads the open revocations now and retries their deletes from Redis. */
  syncRevocations(): Promise<void> {
    return this.#revocations.poll();
  }

  /** Stops reading revocations. */
  close(): Promise<void> {
    return this.#revocations.close();
  }

  /**
   * Starts a session; `replicated` is how many replicas acknowledged it in Redis. It holds no
   * roles: authorization reads the user's current ones, so a demotion needs no logout.
   */
  async create(tenant: string, userId: string): Promise<{ token: string; session: Session; replicated: number }> {
    const { token, sid } = issueToken(userId);
    const now = Date.now();
    const session: Session = { tenant, userId, createdAt: now, lastAccess: now, expiresAt: now + this.#options.absoluteTtlMs };
    await this.#source.save(sid, session);
    const key = sessionKey(tenant, userId, sid);
    const replicated = await this.#cached('create', 0, async () => {
      await this.#write(key, session, now);
      await this.#store.addToSet(sessionIndexKey(tenant, userId), sid, this.#options.absoluteTtlMs);
      // WAIT blocks for its whole timeout when no replica is connected: skip it when none is wanted.
      if (this.#options.replicas === 0) return 0;
      return this.#store.waitForReplicas(key, this.#options.replicas, this.#options.replicaTimeoutMs);
    });
    return { token, session, replicated };
  }

  /** The live session behind `token` in `tenant`, refreshing its idle TTL when due. */
  async get(tenant: string, token: string): Promise<{ session: Session; status: SessionOutcome } | undefined> {
    const parsed = readToken(token);
    if (!parsed) return undefined;
    const key = sessionKey(tenant, parsed.userId, parsed.sid);
    const now = Date.now();
    // Revoked while Redis could not delete its copy: that copy must not answer. Held in memory,
    // so a hit costs no query; a process that slept through polls catches up first.
    if (this.#revocations.overdue(now)) await this.#revocations.poll();
    if (this.#revocations.has(parsed.sid)) return undefined;
    let status: SessionOutcome = 'hit';
    // Only the store call runs in the breaker: an entry this process cannot decode says nothing
    // about Redis's health, and counted as a failure it opened the breaker for every reader.
    const stored = await this.#cached('get', null, () => this.#store.get(key));
    let session = stored === null || stored === undefined ? undefined : await this.#decoder.decode(key, stored);
    if (stored === null) status = 'bypass';
    // An undecodable entry is a miss: reloaded below and overwritten under this process's key.
    if (!session) {
      const started = performance.now();
      session = await this.#source.load(tenant, parsed.sid).catch((error: unknown) => {
        this.#metrics.load('session', false, performance.now() - started);
        throw error;
      });
      this.#metrics.load('session', true, performance.now() - started);
      status = status === 'bypass' ? 'bypass' : 'miss';
      if (session && status === 'miss') await this.#cached('fill', undefined, () => this.#write(key, session!, now));
    }
    this.#metrics.read('session', status);
    if (!session || session.tenant !== tenant || session.userId !== parsed.userId) return undefined;
    if (now >= session.expiresAt || now >= session.lastAccess + this.#options.idleTtlMs) return undefined;
    if (now - session.lastAccess >= this.#options.touchIntervalMs) {
      const touched = await this.#touch(parsed.sid, key, session, now);
      if (!touched) return undefined;
      session = touched;
    }
    return { session, status };
  }

  /** Ends the session behind `token` (logout); it stays ended whatever Redis does. */
  async delete(tenant: string, token: string): Promise<void> {
    const parsed = readToken(token);
    if (!parsed) return;
    const revoked = await this.#source.delete(tenant, [parsed.sid]);
    await this.#settle(revoked, async () => {
      await this.#store.delete(sessionKey(tenant, parsed.userId, parsed.sid));
      await this.#store.removeFromSet(sessionIndexKey(tenant, parsed.userId), parsed.sid);
    });
  }

  /** Ends every session of a user (password change); returns how many ended. */
  async deleteAllForUser(tenant: string, userId: string): Promise<number> {
    const indexKey = sessionIndexKey(tenant, userId);
    const fromCache = (await this.#cached('list', [] as string[], () => this.#store.setMembers(indexKey))) ?? [];
    const sids = [...new Set([...fromCache, ...(await this.#source.listByUser(tenant, userId))])];
    const revoked = await this.#source.delete(tenant, sids);
    await this.#settle(revoked, () => this.#store.delete(indexKey, ...sids.map((sid) => sessionKey(tenant, userId, sid))));
    return sids.length;
  }

  /**
   * Deletes the cached copies of `revoked` with `remove`; then settles their records, or, when
   * Redis failed, holds them here until a poll's retry lands (other processes read the records).
   */
  async #settle(revoked: Revocation[], remove: () => Promise<void>): Promise<void> {
    const removed = await this.#cached('delete', false, async () => (await remove(), true));
    if (!removed) {
      this.#revocations.add(revoked);
      return;
    }
    if (revoked.length === 0) return;
    // Left in the source on failure: a poll deletes again and settles.
    await this.#source.settle(revoked.map((r) => r.sid)).catch((error: unknown) => this.#onError(error, 'revocations'));
  }

  /** Deletes the cached copies of revoked sessions; false when Redis failed. */
  #purge(revoked: readonly Revocation[]): Promise<boolean> {
    const keys = revoked.map((r) => sessionKey(r.tenant, r.userId, r.sid));
    return this.#cached('delete', false, async () => (await this.#store.delete(...keys), true));
  }

  /**
   * Records an access in the source and slides the cached copy; `undefined` when the source no
   * longer has the session: a copy refilled by a read that raced its logout, now deleted, so
   * such a copy lives at most one touch interval instead of sliding on for ever.
   */
  async #touch(sid: string, key: string, session: Session, now: number): Promise<Session | undefined> {
    const touched = { ...session, lastAccess: now };
    if (!(await this.#source.save(sid, touched))) {
      await this.#cached('delete', undefined, () => this.#store.delete(key));
      return undefined;
    }
    // Only while the cached copy still exists: a logout that ran meanwhile deleted it, and a
    // refresh must not bring the ended session back.
    await this.#cached('touch', undefined, () => this.#write(key, touched, now, true));
    return touched;
  }

  async #write(key: string, session: Session, now: number, onlyIfPresent = false): Promise<void> {
    const ttl = Math.min(this.#options.idleTtlMs, session.expiresAt - now);
    if (ttl <= 0) return;
    const value = await this.#codec.encode(JSON.stringify(session), { key });
    if (onlyIfPresent) await this.#store.replace(key, value, ttl);
    else await this.#store.set(key, value, ttl);
  }

  /** Runs a Redis step through the breaker; on failure reports it and yields `fallback`. */
  async #cached<T, F>(operation: string, fallback: F, run: () => Promise<T>): Promise<T | F> {
    try {
      return await this.#breaker.run(run);
    } catch (error) {
      this.#onError(error, operation);
      return fallback;
    }
  }
}

/**
 * Turns a cached session back into a `Session`. An entry that does not decode (another process's
 * key, a rotated-out key id, corrupt bytes, a payload that is not a session) is not a Redis
 * failure: the store treats it as a miss and overwrites it, and it is reported once per reason,
 * because a restart with a new key makes every cached session undecodable at once.
 */
import { CacheError, type PayloadCodec } from '../cache/index.ts';
import type { Session } from './interface.ts';

/** Distinct reasons reported per process (key ids are few; this only bounds memory). */
const MAX_REPORTED_REASONS = 100;
const NOT_A_SESSION = 'the decoded entry is not a session';

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.tenant === 'string' &&
    typeof s.userId === 'string' &&
    typeof s.createdAt === 'number' &&
    typeof s.lastAccess === 'number' &&
    typeof s.expiresAt === 'number'
  );
}

/** Decodes cached sessions and reports each kind of undecodable entry once. */
export class SessionDecoder {
  readonly #codec: PayloadCodec;
  readonly #report: (error: Error) => void;
  readonly #reported = new Set<string>();

  constructor(codec: PayloadCodec, report: (error: Error) => void) {
    this.#codec = codec;
    this.#report = report;
  }

  /** The session stored under `key`, or `undefined` when `stored` cannot be decoded into one. */
  async decode(key: string, stored: string): Promise<Session | undefined> {
    try {
      const session = JSON.parse(await this.#codec.decode(stored, { key })) as unknown;
      if (isSession(session)) return session;
      throw new Error(NOT_A_SESSION);
    } catch (error) {
      // JSON.parse quotes the text it choked on: keep decrypted bytes out of the logs.
      const reason = error instanceof CacheError ? error.message : NOT_A_SESSION;
      if (!this.#reported.has(reason) && this.#reported.size < MAX_REPORTED_REASONS) {
        this.#reported.add(reason);
        this.#report(error instanceof CacheError ? error : new Error(reason));
      }
      return undefined;
    }
  }
}

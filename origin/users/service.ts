/**
 * Users with their caching strategy (`../cache-policies.ts`): a profile is cache-aside under
 * `user:{tenant}:{id}` with the encrypted `user` policy, and dropped from the cache after every
 * change so a read after a write sees it. Sign-in checks passwords here.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { isResourceId } from '../../common/ids.ts';
import { userKey } from '../../common/keys.ts';
import type { CacheEngine, CachePolicy, CacheResult, ReadRequest } from '../cache/index.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password.ts';
import type { ProfileChange, User, UserCursor, UserPage, UserRepository } from './repository.ts';

/** Encodes a page position as opaque base64url. */
export function encodeCursor(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:[+-](\d{2})(?::(\d{2}))?|Z)?$/;

/**
 * True when `text` is a timestamp PostgreSQL can cast: the shape alone let `2025-02-30` or
 * `24:61` through, and the cast then failed as a 500. Offsets stop at ±15:59 (PostgreSQL's limit).
 */
function isPossibleTimestamp(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, , offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (!year || !month || !day || month > 12 || hour! > 23 || minute! > 59 || second! > 59 || offsetHours > 15 || offsetMinutes > 59) return false;
  // Date.UTC rolls 30 February over into March: the day must survive the round trip.
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** Decodes a cursor from `encodeCursor`; 400 `invalid_request` for anything else. */
export function decodeCursor(value: string): UserCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [createdAt, id] = parsed as unknown[];
    if (typeof createdAt === 'string' && isPossibleTimestamp(createdAt) && typeof id === 'string' && isResourceId(id)) return { createdAt, id };
  }
  throw new HttpError(400, ERROR_CODES.invalidRequest, 'cursor is not one this API issued');
}

/** Reads, changes and authenticates users. */
export class UserDirectory {
  readonly #repository: UserRepository;
  readonly #cache: CacheEngine;
  readonly #policy: CachePolicy;

  constructor(repository: UserRepository, cache: CacheEngine, policy: CachePolicy) {
    this.#repository = repository;
    this.#cache = cache;
    this.#policy = policy;
  }

  /** One user of the tenant through the cache; 404 `not_found` when there is none. */
  async get(tenant: string, id: string): Promise<CacheResult<User>> {
    const { value, status } = await this.#cache.getOrLoad(this.#profile(tenant, id));
    if (value === undefined) throw new HttpError(404, ERROR_CODES.notFound, `user ${id} not found in tenant ${tenant}`);
    return { value, status };
  }

  /** The user's current roles through the profile cache; none for a user that does not exist. */
  async rolesOf(tenant: string, id: string): Promise<readonly string[]> {
    const { value } = await this.#cache.getOrLoad(this.#profile(tenant, id));
    return value?.roles ?? [];
  }

  /** A page of the tenant's users, oldest first. */
  async list(tenant: string, limit: number, cursor?: string): Promise<UserPage> {
    const page = await this.#repository.list(tenant, limit, cursor === undefined ? undefined : decodeCursor(cursor));
    return { data: page.users, nextCursor: page.more && page.last ? encodeCursor(page.last) : null };
  }

  /**
   * Changes a profile in Postgres (a role change audited as `actorId`'s), then drops the cached
   * copy: authorization reads roles through it, so a demotion counts from the next request.
   */
  async update(tenant: string, id: string, change: ProfileChange, actorId: string): Promise<User> {
    const user = await this.#repository.update(tenant, id, change, actorId);
    if (!user) throw new HttpError(404, ERROR_CODES.notFound, `user ${id} not found in tenant ${tenant}`);
    await this.#cache.delete({ key: userKey(tenant, id), tenant });
    return user;
  }

  /**
   * The user whose email and password match, or `undefined`. An unknown email costs the same
   * scrypt work as a wrong password, so timing does not reveal which emails exist.
   */
  async authenticate(tenant: string, email: string, password: string): Promise<{ id: string; roles: string[] } | undefined> {
    const found = await this.#repository.findCredentials(tenant, email);
    const ok = found?.passwordHash ? await verifyPassword(password, found.passwordHash) : await verifyAgainstDecoy(password);
    return ok && found ? { id: found.id, roles: found.roles } : undefined;
  }

  /** True when `password` is the current password of user `id`. */
  async checkPassword(tenant: string, id: string, password: string): Promise<boolean> {
    const stored = await this.#repository.passwordHashOf(tenant, id);
    return stored ? verifyPassword(password, stored) : verifyAgainstDecoy(password);
  }

  /** Stores a new password for user `id` and drops the cached profile (its `updatedAt` changed). */
  async setPassword(tenant: string, id: string, password: string): Promise<void> {
    if (!(await this.#repository.setPasswordHash(tenant, id, await hashPassword(password)))) {
      throw new HttpError(404, ERROR_CODES.notFound, `user ${id} not found in tenant ${tenant}`);
    }
    await this.#cache.delete({ key: userKey(tenant, id), tenant });
  }

  /** The cached profile of user `id`, loaded from PostgreSQL on a miss. */
  #profile(tenant: string, id: string): ReadRequest<User | undefined> {
    return { key: userKey(tenant, id), tenant, policy: this.#policy, load: () => this.#repository.findById(tenant, id) };
  }

  /** True when the tenant exists. */
  tenantExists(tenant: string): Promise<boolean> {
    return this.#repository.tenantExists(tenant);
  }
}

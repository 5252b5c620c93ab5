/**
 * Brakes on password guessing (sign-in, and the current-password check of a password change),
 * with `rate-limiter-flexible`: fixed windows counted atomically in Redis (one Lua call per
 * limit), an in-memory limiter standing in per process while Redis fails.
 *
 * Three limits, each counting failed attempts only:
 * - account + source, strict: an attacker's own address is stopped early, and a success from it
 *   resets this count (a user who mistyped a few times is not punished for the day);
 * - account, looser and short: guesses spread over many addresses still hit a ceiling, while an
 *   attacker can lock the real user out only for the rest of one short window at a time;
 * - source, broad: one address trying many accounts (credential stuffing).
 * An attempt reserves a point in each before any password work, so a burst of parallel guesses
 * cannot all pass the check; a refused attempt gives its points back (it did no work and must
 * not lengthen anything), and a success gives back the account and source points.
 */
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type IRateLimiterOptions } from './rate-limiters.ts';
import type { Redis, Cluster } from 'ioredis';

/** One limit: `points` failures per `durationSec`. */
export interface LoginLimit {
  points: number;
  durationSec: number;
}

/** The three limits. */
export interface LoginLimitOptions {
  accountSource: LoginLimit;
  account: LoginLimit;
  source: LoginLimit;
}

/** 5 failures per account and address per 15 min; 30 per account per 5 min; 100 per address per hour. */
export const DEFAULT_LOGIN_LIMITS: LoginLimitOptions = {
  accountSource: { points: 5, durationSec: 15 * 60 },
  account: { points: 30, durationSec: 5 * 60 },
  source: { points: 100, durationSec: 60 * 60 },
};

/** An attempt that may go ahead (report how it went), or one refused for `retryAfterMs`. */
export type LoginAttempt = { allowed: true; succeeded(): Promise<void> } | { allowed: false; retryAfterMs: number };

type Limiter = RateLimiterMemory | RateLimiterRedis;
const NAMES = ['accountSource', 'account', 'source'] as const;

// Keys hold hashes: no email address or client address is written to Redis.
const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);

/** Counts failed password attempts per account, per address and per both. */
export class LoginLimiter {
  readonly #limiters: Limiter[];
  readonly #onError: (error: unknown) => void;

  /** `client`: the Redis (or Cluster) connection to count in; without one, counts stay in process. */
  constructor(options: { client?: Redis | Cluster; limits?: LoginLimitOptions; onError?: (error: unknown) => void } = {}) {
    const limits = options.limits ?? DEFAULT_LOGIN_LIMITS;
    this.#onError = options.onError ?? (() => {});
    this.#limiters = NAMES.map((name) => {
      const base: IRateLimiterOptions = { keyPrefix: `login:${name}`, points: limits[name].points, duration: limits[name].durationSec };
      if (!options.client) return new RateLimiterMemory(base);
      // Redis down or slow: the process's own counts stand in until it answers again.
      return new RateLimiterRedis({ ...base, storeClient: options.client, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) });
    });
  }

  /** Reserves an attempt on `account` (tenant and e-mail) from `source` (an `addressKey`). */
  async begin(tenant: string, email: string, source: string): Promise<LoginAttempt> {
    const account = digest(tenant, email.trim().toLowerCase());
    const keys = [digest(account, source), account, digest(source)];
    const results = await Promise.allSettled(this.#limiters.map((limiter, i) => limiter.consume(keys[i]!)));
    let retryAfterMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      // With the insurance in place only a refusal rejects; anything else is reported, not fatal.
      if (result.reason instanceof RateLimiterRes) retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext, 1000);
      else this.#onError(result.reason);
    }
    if (retryAfterMs > 0) {
      await this.#giveBack(keys, [0, 1, 2]);
      return { allowed: false, retryAfterMs };
    }
    return {
      allowed: true,
      succeeded: async () => {
        await this.#limiters[0]!.delete(keys[0]!).catch((error: unknown) => this.#onError(error));
        await this.#giveBack(keys, [1, 2]);
      },
    };
  }

  async #giveBack(keys: string[], which: number[]): Promise<void> {
    const settled = await Promise.allSettled(which.map((i) => this.#limiters[i]!.reward(keys[i]!)));
    for (const result of settled) if (result.status === 'rejected') this.#onError(result.reason);
  }
}

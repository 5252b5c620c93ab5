/**
 * The three classes of `rate-limiter-flexible` the login limits use, imported from their own
 * files: the package's index requires every backend it supports (MySQL, Mongo, DynamoDB, Prisma,
 * etcd, Valkey…), which put 70 KiB into the origin Lambda's bundle for these few. They are the
 * same classes the index exports (it requires these files), typed by the package's declarations.
 */
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';

export { RateLimiterMemory, RateLimiterRedis, RateLimiterRes };
export type { IRateLimiterOptions } from 'rate-limiter-flexible';

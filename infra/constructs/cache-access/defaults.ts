/** Defaults of {@link CacheAccess}. */

/**
 * What the application's Redis user may run: every key and pub/sub channel, every command except
 * the `@dangerous` and `@admin` categories. Those hold `KEYS`, `FLUSHALL`, `FLUSHDB`, `CONFIG`,
 * `DEBUG`, `MONITOR`, `SHUTDOWN`, `SORT`, `MIGRATE`, `RESTORE`, `ACL`, `CLIENT KILL|LIST`, `INFO`
 * and the cluster-administration subcommands (`CLUSTER FAILOVER|RESET|SETSLOT|...`). Left
 * allowed on purpose: `EVAL`/`EVALSHA` (lock release), `WAIT` (session writes), `SCAN`,
 * `SPUBLISH`/`SSUBSCRIBE` (invalidation bus) and `CLUSTER SLOTS|SHARDS|NODES|INFO` (ioredis
 * discovers the topology with them). Only categories are named: ElastiCache rejects access
 * strings that name a command it has restricted, such as `CONFIG`.
 * `test/infra/redis-acl.test.ts` proves this string on a real server.
 */
export const APP_ACCESS_STRING = 'on ~* &* +@all -@dangerous -@admin';

/**
 * ElastiCache requires a user named `default` in every user group. Ours is switched off and
 * can do nothing, so a connection that does not authenticate as the app user gets nothing.
 */
export const DEFAULT_USER_ACCESS_STRING = 'off -@all';

/** Username the origin authenticates as. */
export const DEFAULT_APP_USERNAME = 'strata-app';

/** Length of the generated password (ElastiCache accepts 16–128 printable characters). */
export const PASSWORD_LENGTH = 64;

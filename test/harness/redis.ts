/**
 * The tests' `redis-server` processes: the implementation lives in `local/redis-processes.ts`,
 * so benchmarks start the same servers without importing from `test/`.
 */
export { startRedis, startRedisCluster, type RedisCluster, type RedisProcess } from '../../local/redis-processes.ts';

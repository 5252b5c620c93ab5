/**
 * Setup file of the Node projects that use Redis: gives every test file a server of its own
 * (`file-redis.ts`) before the file is imported, and stops it after the file's last test.
 */
import { afterAll } from 'vitest';
import { startFileRedis, stopFileRedis } from './file-redis.ts';

await startFileRedis();
afterAll(stopFileRedis);

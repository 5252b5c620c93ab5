/**
 * Commands a redis-server ran while a piece of test code ran, from the server's own counters
 * (INFO commandstats). Only meaningful on a server no other test uses at the same time.
 */
import type { Redis } from 'ioredis';

async function commandCalls(observer: Redis): Promise<Map<string, number>> {
  const info = await observer.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** Runs `run`; `calls(name)` is how many times the server ran command `name` (lower case) meanwhile. */
export async function commandsDuring<T>(observer: Redis, run: () => Promise<T>): Promise<{ result: T; calls: (command: string) => number }> {
  const before = await commandCalls(observer);
  const result = await run();
  const after = await commandCalls(observer);
  return { result, calls: (command) => (after.get(command) ?? 0) - (before.get(command) ?? 0) };
}

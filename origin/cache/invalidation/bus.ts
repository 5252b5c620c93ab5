/**
 * The invalidation bus: when one process deletes or invalidates, the others drop the same
 * values from their memory tier. Redis pub/sub is fire-and-forget, so a process that was
 * frozen or disconnected misses messages; the memory tier's short TTL bounds that staleness,
 * and the tier is cleared whenever the subscription (re)connects.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ErrorListener } from '../target.ts';

/** What changed. `keys` were deleted or rewritten; `tenant` alone: a tag or tenant invalidation. */
export interface InvalidationMessage {
  keys?: string[];
  tenant?: string;
}

/** Publishes and receives invalidations. */
export interface InvalidationBus {
  publish(message: InvalidationMessage): Promise<void>;
  /** `onMessage` for others' messages; `onReset` when messages may have been missed. */
  subscribe(onMessage: (message: InvalidationMessage) => void, onReset: () => void): Promise<void>;
  close(): Promise<void>;
}

/** The channel name; one per deployment is enough (messages are small and rare). */
export const INVALIDATION_CHANNEL = 'strata:cache:invalidate';

/**
 * A bus over Redis pub/sub. `publisher` is a normal connection; `subscriber` a dedicated one
 * (a subscribed connection can run nothing else).
 */
export function createRedisBus(publisher: Redis | Cluster, subscriber: Redis | Cluster): InvalidationBus {
  const self = randomUUID();
  return {
    async publish(message) {
      await publisher.publish(INVALIDATION_CHANNEL, JSON.stringify({ ...message, src: self }));
    },
    async subscribe(onMessage, onReset) {
      subscriber.on('message', (channel: string, text: string) => {
        if (channel !== INVALIDATION_CHANNEL) return;
        try {
          const message = JSON.parse(text) as InvalidationMessage & { src?: string };
          if (message.src !== self) onMessage(message);
        } catch {
          onReset(); // an unreadable message may have been an invalidation
        }
      });
      subscriber.on('ready', onReset);
      await subscriber.subscribe(INVALIDATION_CHANNEL);
    },
    async close() {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}

/** Publishes `message` on `bus` when there is one; a failure is reported, never thrown. */
export async function publish(bus: InvalidationBus | undefined, message: InvalidationMessage, onError: ErrorListener): Promise<void> {
  await bus?.publish(message).catch((error: unknown) => onError(error, { operation: 'publish' }));
}

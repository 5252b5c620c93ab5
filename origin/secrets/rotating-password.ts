/**
 * A Redis password kept in Secrets Manager, as the cache store takes it (`RotatingPassword`):
 * re-read when a connection drops, once the cached value is older than the max age, and read
 * again at once when the server refuses it (it was rotated since). Forced re-reads are spaced,
 * so a password that is simply wrong does not turn every reconnection into an API call.
 */
import type { RotatingPassword } from '../cache/index.ts';
import type { SecretReader } from './reader.ts';

/** Options of {@link rotatingPassword}. */
export interface RotatingPasswordOptions {
  /** Least time between two forced re-reads. @default 5000 */
  forcedIntervalMs?: number;
  /** Told when a re-read fails; the value read before stays in use. */
  onError?: (error: unknown) => void;
  /** @default Date.now */
  now?: () => number;
}

/** Reads the secret's `field` now and returns it as a `RotatingPassword`. */
export async function rotatingPassword(
  reader: SecretReader,
  secretId: string,
  field: string,
  options: RotatingPasswordOptions = {},
): Promise<RotatingPassword> {
  const forcedIntervalMs = options.forcedIntervalMs ?? 5000;
  const now = options.now ?? Date.now;
  let value = await reader.read(secretId, field);
  let pending: Promise<void> | undefined;
  let forcedAt = -Infinity;
  const listeners = new Set<(password: string) => void>();
  return {
    current: () => value,
    refresh(refused) {
      if (pending) return;
      if (refused) {
        if (now() - forcedAt < forcedIntervalMs) return;
        forcedAt = now();
      }
      pending = (refused ? reader.reload(secretId, field) : reader.read(secretId, field))
        .then(
          (next) => {
            if (next === value) return;
            value = next;
            for (const listener of listeners) listener(next);
          },
          (error: unknown) => options.onError?.(error),
        )
        .finally(() => (pending = undefined));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

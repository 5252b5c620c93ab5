/**
 * An entry's payload back to its value: the policy's codec undone (when it has one), then JSON.
 * An unreadable payload is reported and read as a miss, so the reload overwrites it.
 */
import type { CacheTarget, ErrorListener } from '../target.ts';

/** A decoded value, and the length of the JSON text it was parsed from (a gauge of its size). */
export interface Decoded<T> {
  value: T;
  chars: number;
}

/** The decoded value, or `undefined` when unreadable; synchronous without a codec (the hot path). */
export function decodePayload<T>(target: CacheTarget, payload: string, onError: ErrorListener): Decoded<T> | undefined | Promise<Decoded<T> | undefined> {
  const codec = target.policy.codec;
  if (!codec) return parse<T>(target, payload, onError);
  let decoding: Promise<string>;
  try {
    decoding = codec.decode(payload, { key: target.key });
  } catch (error) {
    // A codec that throws instead of rejecting: the entry is as unreadable, still a miss.
    return unreadable(target, error, onError);
  }
  return decoding.then(
    (json) => parse<T>(target, json, onError),
    (error: unknown) => unreadable(target, error, onError),
  );
}

function parse<T>(target: CacheTarget, json: string, onError: ErrorListener): Decoded<T> | undefined {
  try {
    return { value: JSON.parse(json) as T, chars: json.length };
  } catch (error) {
    return unreadable(target, error, onError);
  }
}

function unreadable(target: CacheTarget, error: unknown, onError: ErrorListener): undefined {
  onError(error, { operation: 'decode', key: target.key });
  return undefined;
}

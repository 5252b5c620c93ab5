/**
 * A metrics sink whose failures stay out of the engine: a sink that throws (a label it refuses,
 * a full buffer) must not fail a read that Redis answered, nor stop a read that Redis failed
 * from going to the source. The first failure is reported to `onError` as `metrics`; the next
 * is reported only after a call has gone through again, so a broken sink logs once, not per read.
 */
import type { ErrorListener } from '../target.ts';
import type { CacheMetrics } from './interface.ts';

/** `sink`, with its failures reported instead of thrown. */
export function absorbFailures(sink: CacheMetrics, onError: ErrorListener): CacheMetrics {
  let failing = false;
  const failed = (error: unknown) => {
    if (!failing) onError(error, { operation: 'metrics' });
    failing = true;
  };
  return {
    read(label, outcome) {
      try {
        sink.read(label, outcome);
        failing = false;
      } catch (error) {
        failed(error);
      }
    },
    load(label, ok, durationMs) {
      try {
        sink.load(label, ok, durationMs);
        failing = false;
      } catch (error) {
        failed(error);
      }
    },
    operation(label, operation, ok, durationMs) {
      try {
        sink.operation(label, operation, ok, durationMs);
        failing = false;
      } catch (error) {
        failed(error);
      }
    },
  };
}

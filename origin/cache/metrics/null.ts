/** Metrics that go nowhere: the default for code that was given no sink. */
import type { CacheMetrics } from './interface.ts';

/** A `CacheMetrics` that records nothing. */
export const noMetrics: CacheMetrics = Object.freeze({
  read() {},
  load() {},
  operation() {},
});

/**
 * An injected clock for edge tests: the Worker runs in the test's isolate, so moving `Date.now()`
 * ages stored responses, memos and the memory tier without sleeping. Restore with
 * `vi.restoreAllMocks()`.
 */
import { vi } from 'vitest';

/** A clock that reads real time plus whatever `advance` added. */
export interface TestClock {
  advance(ms: number): void;
}

/** Replaces `Date.now()` until mocks are restored. */
export function mockClock(): TestClock {
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
  return {
    advance(ms) {
      offsetMs += ms;
    },
  };
}

/** `strata warm --rate`'s pacing (`cli/pace.ts`) on a clock the test moves: no waiting. */
import { describe, expect, it } from 'vitest';
import { pacer } from '../../cli/pace.ts';

function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => (now += ms),
    clock: { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) },
  };
}

describe('warm pacing', () => {
  it('waits so that rows sent never run ahead of the rate', async () => {
    const { clock, sleeps, advance } = fakeClock();
    const pace = pacer(100, clock);
    advance(200); // the first batch of 50 took 0.2 s: 0.3 s early for 100 rows/s
    expect(await pace(50)).toBe(300);
    advance(600); // the second took longer than its share (1.1 s for 100 rows): no wait
    expect(await pace(100)).toBe(0);
    advance(100); // 150 rows at 1.2 s: 0.3 s early again
    expect(await pace(150)).toBe(300);
    advance(500); // 200 rows at exactly 2 s (1.5 s after that wait): on the rate
    expect(await pace(200)).toBe(0);
    expect(sleeps).toEqual([300, 300]);
  });

  it('never waits with a rate of 0', async () => {
    const { clock, sleeps } = fakeClock();
    const pace = pacer(0, clock);
    expect(await pace(1_000_000)).toBe(0);
    expect(sleeps).toEqual([]);
  });
});

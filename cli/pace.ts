/**
 * Pacing for `strata warm --rate`: after `sent` rows in all, waits until at least `sent / rate`
 * seconds have passed since the start, so the average never exceeds the rate (a burst of one
 * batch at most). The clock and the sleep are given, so the pacing is tested without waiting.
 */

/** What `pacer` needs of time. */
export interface PaceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** A pacer started now; `rate` rows a second, 0 for none. Resolves with the milliseconds it waited. */
export function pacer(rate: number, clock: PaceClock): (sent: number) => Promise<number> {
  const started = clock.now();
  return async (sent) => {
    if (rate <= 0) return 0;
    const wait = (sent / rate) * 1000 - (clock.now() - started);
    if (wait <= 0) return 0;
    await clock.sleep(wait);
    return wait;
  };
}

/**
 * Invalidations that could not reach Redis, on their own: retried until they land, and never
 * settled by a bump that was sent before a later failure was recorded.
 */
import { describe, expect, it } from 'vitest';
import { PendingInvalidations } from '../../origin/cache/invalidation/pending.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pending invalidations', () => {
  it('retries until the bump lands, then lets the tenant read the cache again', async () => {
    const attempts: string[][] = [];
    let up = false;
    const pending = new PendingInvalidations(async (keys) => (attempts.push(keys), up));
    pending.add('acme', ['ver:{acme}']);
    expect(pending.has('acme')).toBe(true);
    expect(pending.has('other')).toBe(false);
    await sleep(350); // retries at 100 ms, then 200 ms later: both fail
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(pending.has('acme')).toBe(true);
    up = true;
    for (let i = 0; i < 50 && pending.has('acme'); i++) await sleep(50);
    expect(pending.has('acme')).toBe(false);
    expect(pending.empty).toBe(true);
    pending.close();
  });

  it('keeps a failure recorded while a bump of the same key was on its way', async () => {
    let finish!: (landed: boolean) => void;
    const pending = new PendingInvalidations(() => new Promise<boolean>((resolve) => (finish = resolve)));
    pending.add('acme', ['ver:{acme}']);
    await sleep(150); // the retry is out, its SET on the wire
    // The source changes again, and this invalidation fails too.
    pending.add('acme', ['ver:{acme}']);
    finish(true); // the earlier retry lands: it says nothing about the later change
    await sleep(10);
    expect(pending.has('acme')).toBe(true);
    // The same holds for a direct bump that was sent before the failure was recorded.
    const mark = pending.mark();
    pending.add('acme', ['ver:{acme}:tag:projects']);
    pending.landed(['ver:{acme}', 'ver:{acme}:tag:projects'], mark);
    expect(pending.has('acme')).toBe(true);
    pending.landed(['ver:{acme}', 'ver:{acme}:tag:projects'], pending.mark());
    expect(pending.has('acme')).toBe(false);
    pending.close();
  });
});

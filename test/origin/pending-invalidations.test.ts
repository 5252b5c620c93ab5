/**
 * Invalidations that could not reach Redis, on their own: retried until they land, and never
 * settled by a bump that was sent before a later failure was recorded.
 */
import { describe, expect, it } from 'vitest';
import { PendingInvalidations } from '../../origin/cache/invalidation/pending.ts';
import { eventually } from '../harness/eventually.ts';

/** Resolves once every promise callback already queued has run (they all run before the next macrotask). */
const afterCallbacks = () => new Promise((resolve) => setImmediate(resolve));

describe('pending invalidations', () => {
  it('retries until the bump lands, then lets the tenant read the cache again', async () => {
    const attempts: string[][] = [];
    let up = false;
    let twoFailed!: () => void;
    const failedTwice = new Promise<void>((resolve) => (twoFailed = resolve));
    const pending = new PendingInvalidations(async (keys) => {
      attempts.push(keys);
      if (attempts.length === 2) twoFailed();
      return up;
    });
    pending.add('acme', ['ver:{acme}']);
    expect(pending.has('acme')).toBe(true);
    expect(pending.has('other')).toBe(false);
    await failedTwice; // two retries, both failed
    await afterCallbacks();
    expect(pending.has('acme')).toBe(true);
    up = true;
    await eventually(
      'the retry to land',
      async () => pending.has('acme'),
      (has) => !has,
    );
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(pending.empty).toBe(true);
    pending.close();
  });

  it('keeps a failure recorded while a bump of the same key was on its way', async () => {
    let finish!: (landed: boolean) => void;
    let retrying!: () => void;
    const retryOut = new Promise<void>((resolve) => (retrying = resolve));
    const pending = new PendingInvalidations(() => (retrying(), new Promise<boolean>((resolve) => (finish = resolve))));
    pending.add('acme', ['ver:{acme}']);
    await retryOut; // the retry is out, its SET on the wire
    // The source changes again, and this invalidation fails too.
    pending.add('acme', ['ver:{acme}']);
    finish(true); // the earlier retry lands: it says nothing about the later change
    await afterCallbacks();
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

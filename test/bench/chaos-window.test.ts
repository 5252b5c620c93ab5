/**
 * The chaos benchmark's judgement: when service came back after a fault, and which reads were
 * older than the ledger allows.
 */
import { describe, expect, it } from 'vitest';
import { Ledger, PROJECTS, seqIn, nameFor } from '../../bench/chaos/ledger.ts';
import type { LoadRecord } from '../../bench/chaos/load.ts';
import { errorsByStatus, firstStreak } from '../../bench/chaos/window.ts';

/** One record every 50 ms from `from` to `to`, answered with `status`. */
const series = (from: number, to: number, status: number): LoadRecord[] =>
  Array.from({ length: Math.ceil((to - from) / 50) }, (_, i) => ({ kind: 'origin-read', start: from + i * 50, end: from + i * 50 + 10, status, stale: false }));

describe('firstStreak', () => {
  it('starts the recovery after the last failure, not at the first success', async () => {
    const records = [...series(0, 1000, 200), ...series(1000, 1500, 0), ...series(1500, 2000, 200), ...series(2000, 2100, 503), ...series(2100, 9000, 200)];
    const clock = () => 20_000;
    expect(await firstStreak(records, clock, 0, 0, 10_000)).toBe(2100);
  });

  it('is immediate when nothing failed', async () => {
    expect(await firstStreak(series(0, 9000, 200), () => 20_000, 500, 0, 10_000)).toBe(500);
  });

  it('finds none when failures go on past the deadline', async () => {
    expect(await firstStreak(series(0, 9000, 0), () => 20_000, 0, 0, 5000)).toBeUndefined();
  });

  it('waits until a window can no longer change before judging it', async () => {
    const records = series(0, 1000, 200);
    let now = 1000;
    const judged = firstStreak(records, () => now, 0, 500, 10_000);
    // Requests still out may fail: a failure that arrives before the window settles counts.
    records.push({ kind: 'write', start: 900, end: 1400, status: 0, stale: false }, ...series(1000, 6000, 200));
    now = 20_000;
    // The first answer after the late failure (at 900) starts the streak.
    expect(await judged).toBe(950);
  });
});

describe('errorsByStatus', () => {
  it('counts non-2xx answers per kind and status inside the window only', () => {
    const records = [...series(0, 100, 200), ...series(100, 200, 502), ...series(200, 300, 0), ...series(300, 400, 503)];
    expect(errorsByStatus(records, 0, 300)).toEqual({ 'origin-read:502': 2, 'origin-read:0': 2 });
  });
});

describe('the ledger', () => {
  const project = PROJECTS[0]!;

  it('knows which write was acknowledged by a given time, and keeps writes to a project serial', () => {
    const ledger = new Ledger();
    const first = ledger.beginWrite(project)!;
    expect(ledger.beginWrite(project)).toBeUndefined();
    ledger.endWrite(project, first, 100);
    const second = ledger.beginWrite(project)!;
    ledger.endWrite(project, second, undefined);
    const third = ledger.beginWrite(project)!;
    ledger.endWrite(project, third, 300);
    expect([ledger.ackedBy(project, 50), ledger.ackedBy(project, 100), ledger.ackedBy(project, 299), ledger.ackedBy(project, 300)]).toEqual([
      0,
      first,
      first,
      third,
    ]);
    expect(ledger.lastAcked(project)).toBe(third);
    expect(ledger.acknowledgedWrites()).toBe(2);
  });

  it("reads a project's value out of an item or a list, the seeded name as 0", () => {
    const list = JSON.stringify({ items: [{ name: nameFor(PROJECTS[1]!, 7) }, { name: nameFor(project, 12) }] });
    expect(seqIn(project, list)).toBe(12);
    expect(seqIn(PROJECTS[1]!, list)).toBe(7);
    expect(seqIn(project, JSON.stringify({ name: 'Website Redesign' }))).toBe(0);
  });
});

/**
 * What clients met around one fault, from the load's records: when service came back (the
 * first streak of successes after the lift) and the errors and stale reads on the way.
 */
import type { Kind, LoadRecord } from './load.ts';

/** A recovery is a run of successes this long (on the load's clock) with at least STREAK_MIN requests in it. */
export const STREAK_MS = 3000;
export const STREAK_MIN = 20;

const ok = (record: LoadRecord) => record.status >= 200 && record.status < 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The start of the first streak of successes beginning at or after `from`, once it can be told
 * (requests still out when a window closes may yet fail, so each window is judged only after
 * `settleMs` more). Undefined when none came by `deadline` (load clock).
 */
export async function firstStreak(
  records: readonly LoadRecord[],
  now: () => number,
  from: number,
  settleMs: number,
  deadline: number,
): Promise<number | undefined> {
  let candidate = from;
  for (;;) {
    while (now() < candidate + STREAK_MS + settleMs) {
      if (now() > deadline + STREAK_MS + settleMs) return undefined;
      await sleep(100);
    }
    const inWindow = records.filter((r) => r.start >= candidate && r.start < candidate + STREAK_MS);
    const failures = inWindow.filter((r) => !ok(r));
    if (failures.length === 0 && inWindow.length >= STREAK_MIN) return inWindow.reduce((first, r) => Math.min(first, r.start), Infinity);
    // Start again just after the last failure (or a little later when the window was too thin).
    const next = failures.length > 0 ? Math.max(...failures.map((r) => r.start)) + 0.001 : candidate + 250;
    candidate = Math.max(next, candidate + 0.001);
    if (candidate > deadline) return undefined;
  }
}

/** Non-2xx answers per `kind:status` (status 0: no answer) among records started in [from, to). */
export function errorsByStatus(records: readonly LoadRecord[], from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    if (r.start < from || r.start >= to || ok(r)) continue;
    const key = `${r.kind}:${r.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Records started in [from, to) of `kinds` that `match`. */
export function count(records: readonly LoadRecord[], from: number, to: number, match: (r: LoadRecord) => boolean, kinds?: readonly Kind[]): number {
  return records.filter((r) => r.start >= from && r.start < to && (!kinds || kinds.includes(r.kind)) && match(r)).length;
}

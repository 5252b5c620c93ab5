/**
 * What the clients saw, per kind of request: latencies, statuses, and for edge-cacheable reads
 * whether the edge answered from storage (its `Cache-Status` member). Only requests recorded
 * while `measuring` count; the warm-up fills caches without being reported.
 */

/** What one request's outcome says about the edge. */
export type EdgeOutcome = 'hit' | 'miss' | undefined;

/** Per-kind tallies. */
export interface KindTally {
  latenciesMs: number[];
  statuses: Map<number, number>;
  unexpected: number;
  edgeHits: number;
  edgeMisses: number;
}

/** `q` quantile (nearest rank) of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Reads the edge's member of an RFC 9211 `Cache-Status`: a hit when it served from storage. */
export function edgeOutcome(cacheStatus: string | null): EdgeOutcome {
  const member = cacheStatus
    ?.split(',')
    .map((part) => part.trim())
    .find((part) => part.startsWith('strata-edge'));
  if (!member) return undefined;
  return /;\s*hit(;|$)/.test(member) ? 'hit' : 'miss';
}

/** Collects client-side figures. */
export class Collector {
  measuring = false;
  readonly kinds = new Map<string, KindTally>();
  #startedAt = Number.NaN;
  #stoppedAt = Number.NaN;

  /** Starts the measured phase at `at`. */
  start(at: number): void {
    this.measuring = true;
    this.#startedAt = at;
  }

  /** Ends it at `at`. */
  stop(at: number): void {
    this.measuring = false;
    this.#stoppedAt = at;
  }

  /** The measured phase's length in seconds. */
  get seconds(): number {
    return (this.#stoppedAt - this.#startedAt) / 1000;
  }

  /** Records one request; `expected` is the status it should have had. */
  record(kind: string, latencyMs: number, status: number, expected: number, edge: EdgeOutcome = undefined): void {
    if (!this.measuring) return;
    let tally = this.kinds.get(kind);
    if (!tally) {
      tally = { latenciesMs: [], statuses: new Map(), unexpected: 0, edgeHits: 0, edgeMisses: 0 };
      this.kinds.set(kind, tally);
    }
    tally.latenciesMs.push(latencyMs);
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    if (status !== expected) tally.unexpected++;
    if (edge === 'hit') tally.edgeHits++;
    if (edge === 'miss') tally.edgeMisses++;
  }

  /** Every recorded request. */
  get requests(): number {
    let total = 0;
    for (const tally of this.kinds.values()) total += tally.latenciesMs.length;
    return total;
  }

  /** Requests answered with `status` in [from, to). */
  statusesBetween(from: number, to: number): number {
    let total = 0;
    for (const tally of this.kinds.values()) for (const [status, count] of tally.statuses) if (status >= from && status < to) total += count;
    return total;
  }
}

/**
 * The freshness contract, checked from the client's side: no read that starts after a write was
 * acknowledged returns the data that write replaced, beyond the documented bound of the layer
 * that answered; no request that starts after a logout (or a password change) was acknowledged
 * is served with the ended session. The generator serialises the writes of each object, so an
 * object's acknowledged values form one sequence and "older" is well defined.
 */

/** Where a read was answered, each with its own bound. */
export type Layer = 'edge' | 'origin' | 'config' | 'session';

/** How long after an acknowledged write each layer may still answer the old data, in ms. */
export type FreshnessBounds = Readonly<Record<Layer, number>>;

/** What one read was found to be. */
export type Verdict = 'fresh' | 'stale-within-bound' | 'violation';

/** One broken promise, for the report. */
export interface Violation {
  readonly layer: Layer;
  readonly object: string;
  readonly what: string;
  /** How long after the superseding acknowledgement the read started (ms); NaN for unknown data. */
  readonly lateByMs: number;
}

/** Per-layer tallies. */
export interface LayerTally {
  checked: number;
  staleWithinBound: number;
  violations: number;
  /** The longest a read that returned replaced data started after its replacement was acknowledged. */
  maxStalenessMs: number;
}

interface Version {
  readonly value: string;
  /** When its write was acknowledged; -Infinity for the seeded value; undefined while in flight or when its outcome is unknown. */
  ackedAt: number | undefined;
}

/** Tracks what was written and judges what was read. */
export class FreshnessChecker {
  readonly bounds: FreshnessBounds;
  readonly tallies = new Map<Layer, LayerTally>();
  readonly violations: Violation[] = [];
  readonly #objects = new Map<string, Version[]>();
  readonly #revoked = new Map<string, number>();
  /** Keeps at most this many violations in `violations` (all are counted). */
  readonly #keep: number;

  constructor(bounds: FreshnessBounds, keep = 50) {
    this.bounds = bounds;
    this.#keep = keep;
  }

  /** The value `object` holds before the run. */
  seed(object: string, value: string): void {
    this.#objects.set(object, [{ value, ackedAt: Number.NEGATIVE_INFINITY }]);
  }

  /** A write of `value` is about to be sent; a read may see it from now on. */
  begin(object: string, value: string): void {
    const versions = this.#objects.get(object);
    if (!versions) throw new Error(`freshness: no seeded value for ${object}`);
    if (versions.some((v) => v.value === value)) throw new Error(`freshness: ${object} was already written with ${value}`);
    versions.push({ value, ackedAt: undefined });
  }

  /** The write of `value` was acknowledged at `at`. */
  acknowledge(object: string, value: string, at: number): void {
    const version = this.#objects.get(object)?.find((v) => v.value === value);
    if (!version) throw new Error(`freshness: ${object} never began a write of ${value}`);
    version.ackedAt = at;
  }

  /** The write failed: whether it landed is unknown, so reading it is fine and it replaces nothing. */
  abandon(_object: string, _value: string): void {}

  /** Judges a read of `object` that started at `startedAt` and returned `value`. */
  read(layer: Layer, object: string, value: string, startedAt: number): Verdict {
    const tally = this.#tally(layer);
    tally.checked++;
    const versions = this.#objects.get(object);
    const index = versions?.findIndex((v) => v.value === value) ?? -1;
    if (!versions || index < 0) return this.#violate(layer, object, `returned ${JSON.stringify(value)}, which no one wrote`, Number.NaN);
    const replacedAt = versions.slice(index + 1).find((v) => v.ackedAt !== undefined)?.ackedAt;
    if (replacedAt === undefined || startedAt <= replacedAt) return 'fresh';
    const late = startedAt - replacedAt;
    tally.maxStalenessMs = Math.max(tally.maxStalenessMs, late);
    if (late <= this.bounds[layer]) {
      tally.staleWithinBound++;
      return 'stale-within-bound';
    }
    const current = versions.findLast((v) => v.ackedAt !== undefined)!.value;
    return this.#violate(layer, object, `returned ${JSON.stringify(value)} ${Math.round(late)} ms after ${JSON.stringify(current)} was acknowledged`, late);
  }

  /** The session behind `token` was ended (logout or password change), acknowledged at `at`. */
  revoke(token: string, at: number): void {
    if (!this.#revoked.has(token)) this.#revoked.set(token, at);
  }

  /** Judges a request with `token` that started at `startedAt` and was (or was not) served. */
  session(token: string, startedAt: number, served: boolean): Verdict {
    const tally = this.#tally('session');
    tally.checked++;
    const revokedAt = this.#revoked.get(token);
    if (!served || revokedAt === undefined || startedAt <= revokedAt) return 'fresh';
    const late = startedAt - revokedAt;
    tally.maxStalenessMs = Math.max(tally.maxStalenessMs, late);
    if (late <= this.bounds.session) {
      tally.staleWithinBound++;
      return 'stale-within-bound';
    }
    return this.#violate('session', `session ${token.slice(0, 8)}…`, `served ${Math.round(late)} ms after its logout was acknowledged`, late);
  }

  /** Every violation counted, over all layers. */
  get violationCount(): number {
    let total = 0;
    for (const tally of this.tallies.values()) total += tally.violations;
    return total;
  }

  #tally(layer: Layer): LayerTally {
    let tally = this.tallies.get(layer);
    if (!tally) {
      tally = { checked: 0, staleWithinBound: 0, violations: 0, maxStalenessMs: 0 };
      this.tallies.set(layer, tally);
    }
    return tally;
  }

  #violate(layer: Layer, object: string, what: string, lateByMs: number): 'violation' {
    this.#tally(layer).violations++;
    if (this.violations.length < this.#keep) this.violations.push({ layer, object, what, lateByMs });
    return 'violation';
  }
}

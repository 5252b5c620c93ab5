/**
 * Interleaved rounds, the one way every benchmark here measures: each round runs every subject
 * once per phase, in an order rotated by one each round (`interleave`), or lets them take turns
 * of a few milliseconds (`takeTurns`), so drift and stalls on this shared machine fall on every
 * subject alike; a subject's figure is its median over rounds, and its ratio to a floor is the
 * median of per-round ratios (the figures a ratio pairs are measured together, not minutes
 * apart). Every subject gets the same rounds, slices and statistics.
 */
import { median, pairedRatio, type Row } from './rows.ts';
import { seededRandom } from './seeded-random.ts';

/** Figures per subject, per metric: one per recorded round. */
export type Samples = Map<string, Map<string, number[]>>;

/** How to run the rounds. */
export interface RoundsOptions<S> {
  rounds: number;
  /** Rounds run first and not recorded (connections, JIT, caches). Default 1. */
  warmupRounds?: number;
  /** Parts of a round; each runs every subject before the next starts. Default one phase. */
  phases?: readonly string[];
  /** One slice: the figures of `subject` in `phase`, by metric name. */
  measure(subject: S, phase: string, round: number): Promise<Record<string, number>>;
}

/** Runs the rounds; returns every recorded figure. */
export async function interleave<S extends { readonly name: string }>(subjects: readonly S[], options: RoundsOptions<S>): Promise<Samples> {
  const samples: Samples = new Map(subjects.map((s) => [s.name, new Map()]));
  const warmup = options.warmupRounds ?? 1;
  for (let round = -warmup; round < options.rounds; round++) {
    const shift = ((round % subjects.length) + subjects.length) % subjects.length;
    const order = subjects.map((_, i) => subjects[(i + shift) % subjects.length]!);
    for (const phase of options.phases ?? ['']) {
      for (const subject of order) {
        const figures = await options.measure(subject, phase, round);
        if (round < 0) continue;
        for (const [metric, value] of Object.entries(figures)) record(samples, subject.name, metric, value);
      }
    }
  }
  return samples;
}

/** How `summarise` turns samples into rows. */
export interface SummaryOptions {
  /** Unit of a metric's row. */
  unitOf(metric: string): string;
  /** Subjects every other is divided by, per round: `<metric>_x_<floor>` (other than letters and digits as underscores). */
  floors?: readonly string[];
  /** Metrics that get ratios (throughputs; a ratio of latencies would read upside down). */
  ratioMetrics?: readonly string[];
  /** Decimal places of the medians, for every metric or per metric. Default 0. */
  decimals?: number | ((metric: string) => number);
}

/** Rows: each subject's median per metric, and its paired ratio to each floor. */
export function summarise(samples: Samples, options: SummaryOptions): Row[] {
  const decimals = options.decimals ?? 0;
  const rows: Row[] = [];
  for (const [subject, metrics] of samples) {
    for (const [metric, values] of metrics) {
      const scale = 10 ** (typeof decimals === 'number' ? decimals : decimals(metric));
      rows.push({ subject, metric, value: Math.round(median(values) * scale) / scale, unit: options.unitOf(metric) });
      if (!options.ratioMetrics?.includes(metric)) continue;
      for (const floor of options.floors ?? []) {
        const base = samples.get(floor)?.get(metric);
        if (!base) continue;
        rows.push({ subject, metric: `${metric}_x_${floor.replace(/[^a-z0-9]+/gi, '_')}`, value: pairedRatio(values, base), unit: 'ratio' });
      }
    }
  }
  return rows;
}

/** Adds one round's `value` of `metric` for `subject`. */
export function record(samples: Samples, subject: string, metric: string, value: number): void {
  const byMetric = samples.get(subject) ?? new Map<string, number[]>();
  samples.set(subject, byMetric);
  byMetric.set(metric, [...(byMetric.get(metric) ?? []), value]);
}

/**
 * `read`, timing each call on the wall clock into `into` (milliseconds): latencies to take a
 * percentile of, beside the throughput `takeTurns` measures.
 */
export function timed<T>(read: () => Promise<T>, into: number[], now: () => number = () => performance.now()): () => Promise<T> {
  return async () => {
    const started = now();
    const result = await read();
    into.push(now() - started);
    return result;
  };
}

/** What `takeTurns` runs. */
export interface TurnsOptions {
  /** Operations one call of a batch performs. */
  width: number;
  /** Batch calls per turn: long enough to keep a subject's code warm, short enough (a few ms) that a stall of the machine falls on every subject. */
  batchesPerTurn: number;
  /** Time each subject spends in its own turns before the figures are taken. */
  sliceMs: number;
  /** Seeds the order of each pass over the subjects (the caller passes the round). */
  seed?: number;
  /** Wall clock, in milliseconds. */
  now?: () => number;
  /** CPU this process has used, in microseconds. */
  cpu?: () => number;
}

/** What `takeTurns` measured, one figure per batch function. */
export interface TurnFigures {
  opsPerSecond: number[];
  /**
   * CPU this process spent per operation during the subject's turns, in microseconds: what the
   * subject costs the client whatever share of the machine it was given (the server's share,
   * Redis's, is not in it).
   */
  cpuMicrosPerOp: number[];
}

const processCpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Operations per second of each batch function, and the CPU each spent per operation, measured in alternating turns of a few
 * milliseconds until each has run for `sliceMs` of its own time. On this shared machine other
 * work stalls the process for tens of milliseconds at a time; slices of 150 ms one after another
 * let a stall land on one subject, turns spread it over all of them. Each pass over the subjects
 * is in a new shuffled order: what one turn leaves behind (garbage for the next collection)
 * lands on every other subject alike instead of always on the same successor.
 */
export async function takeTurns(batches: readonly (() => Promise<unknown>)[], options: TurnsOptions): Promise<TurnFigures> {
  const now = options.now ?? (() => performance.now());
  const cpu = options.cpu ?? processCpuMicros;
  const cpuSpent = batches.map(() => 0);
  const random = seededRandom(options.seed ?? 1);
  const spent = batches.map(() => 0);
  const done = batches.map(() => 0);
  const order = batches.map((_, i) => i);
  while (spent.some((ms) => ms < options.sliceMs)) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    for (const i of order) {
      const started = now();
      const cpuStarted = cpu();
      for (let b = 0; b < options.batchesPerTurn; b++) await batches[i]!();
      spent[i]! += now() - started;
      cpuSpent[i]! += cpu() - cpuStarted;
      done[i]! += options.width * options.batchesPerTurn;
    }
  }
  return { opsPerSecond: done.map((ops, i) => (ops * 1000) / spent[i]!), cpuMicrosPerOp: done.map((ops, i) => cpuSpent[i]! / ops) };
}

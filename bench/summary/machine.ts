/**
 * The machine a run was on, and how busy it was: figures on a shared machine mean little
 * without the load beside them.
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** What the summary says about the machine. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
}

/** One benchmark's run, as `npm run bench` records it. */
export interface RunRecord {
  readonly name: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly ok: boolean;
  /** 1-minute load average when it started and when it ended. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** The arguments it was run with, when any (`npm run bench -- lambda 15`). */
  readonly args?: readonly string[];
  /** How the record was made, when not by the run itself. */
  readonly note?: string;
}

/** `bench/results/machine.json`. */
export interface MachineFile {
  readonly machine: Machine;
  readonly runs: readonly RunRecord[];
}

/** This machine. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
  };
}

/**
 * `runs` with `run` in place of the earlier record of the same benchmark: a benchmark run on its
 * own replaces its results file, so its record must replace the one of the run that wrote it before.
 */
export function withRun(runs: readonly RunRecord[], run: RunRecord): RunRecord[] {
  return [...runs.filter((earlier) => earlier.name !== run.name), run];
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

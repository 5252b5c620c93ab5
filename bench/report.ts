/**
 * Runs a tinybench suite and prints each task as a ratio against the suite's floor task.
 */
import { Bench } from 'tinybench';

/** One benchmarked operation. `floor` marks the lower bound the others are compared with. */
export interface BenchTask {
  name: string;
  fn: () => Promise<unknown>;
  floor?: boolean;
}

/** Runs `tasks` for `timeMs` each and prints ops/s, latency percentiles and × floor. */
export async function runAndReport(title: string, tasks: BenchTask[], timeMs = 1500): Promise<void> {
  const bench = new Bench({ time: timeMs, warmupTime: 300 });
  for (const task of tasks) bench.add(task.name, task.fn);
  await bench.run();
  const floorName = tasks.find((t) => t.floor)?.name;
  const floor = bench.tasks.find((t) => t.name === floorName)?.result;
  const floorMean = floor && 'latency' in floor ? floor.latency.mean : undefined;
  console.log(`\n${title}`);
  console.table(
    bench.tasks.map((task) => {
      const r = task.result;
      if (!('latency' in r)) return { task: task.name, state: r.state };
      return {
        task: task.name,
        'ops/s': Math.round(r.throughput.mean),
        'p50 µs': Math.round(r.latency.p50 * 1000),
        'p99 µs': Math.round(r.latency.p99 * 1000),
        '× floor latency': floorMean ? (r.latency.mean / floorMean).toFixed(2) : '—',
        samples: r.latency.samplesCount,
      };
    }),
  );
}

/**
 * Progress while the workload runs: a bar with rate and ETA on a terminal (`cli-progress`),
 * a plain line every tenth of the run otherwise (logs, CI).
 */
import { Presets, SingleBar } from 'cli-progress';

/** Reports done/total. */
export interface Progress {
  tick(done: number): void;
  stop(): void;
}

/** A bar on a TTY, lines elsewhere; `write` receives the lines (stdout by default). */
export function progress(label: string, total: number, options: { tty?: boolean; write?: (line: string) => void; now?: () => number } = {}): Progress {
  const tty = options.tty ?? Boolean(process.stdout.isTTY);
  if (tty) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} req/s | ETA {eta_formatted}`, hideCursor: true },
      Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(total, 0, { rate: '0' });
    return {
      tick: (done) => bar.update(done, { rate: ((done * 1000) / Math.max(1, performance.now() - started)).toFixed(0) }),
      stop: () => bar.stop(),
    };
  }
  const write = options.write ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => performance.now());
  const started = now();
  const step = Math.max(1, Math.ceil(total / 10));
  let next = step;
  return {
    tick(done) {
      if (done < next && done < total) return;
      while (next <= done) next += step;
      const seconds = (now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 ? Math.round((total - done) / rate) : Number.NaN;
      write(`${label}: ${done}/${total} (${Math.round((done / total) * 100)}%), ${rate.toFixed(0)} req/s, ETA ${Number.isNaN(eta) ? '?' : `${eta} s`}`);
    },
    stop() {},
  };
}

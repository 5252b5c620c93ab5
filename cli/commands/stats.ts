/**
 * `strata stats [--watch]`: the origin's hit ratio per data type against their targets (docs/architecture.md, "Design targets"),
 * loads, stale serves, the breaker, the outbox and what Redis holds. With `--watch` the screen
 * is redrawn in place every `--interval` seconds until Ctrl-C (with `--json`: one JSON document
 * per line and refresh).
 */
import type { CommandContext } from '../context.ts';
import { EXIT, shownUrl, usage } from '../errors.ts';
import { operatorCall } from '../http.ts';
import { needOperator } from '../target.ts';
import { statsLines, type Stats } from '../render/stats-table.ts';

/** The options of `strata stats`. */
export interface StatsOptions {
  watch?: boolean;
  interval?: string;
}

// Cursor up N lines, then clear to the end of the screen: the next frame replaces this one.
const up = (lines: number) => `\u001b[${lines}A\u001b[0J`;
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

/** Runs `strata stats`; resolves with the exit code. */
export async function stats(context: CommandContext, options: StatsOptions): Promise<number> {
  const seconds = options.interval === undefined ? 2 : Number(options.interval);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 3600)
    throw usage(`--interval: expected seconds from 0.2 to 3600, got ${JSON.stringify(options.interval)}`);
  const target = await context.target();
  const endpoint = needOperator(target, 'stats');
  const { originUrl } = endpoint;
  const read = () => operatorCall<Stats>(endpoint, '/ops/stats');
  const { io } = context;
  const render = (snapshot: Stats) => (context.json ? `${JSON.stringify(snapshot)}\n` : `${statsLines(snapshot, shownUrl(originUrl), io).join('\n')}\n`);

  if (!options.watch) {
    io.out(render(await read()));
    return EXIT.ok;
  }
  let stopped = false;
  let wake: (() => void) | undefined;
  const stopListening = context.onInterrupt(() => {
    stopped = true;
    wake?.();
  });
  const inPlace = io.tty && !context.json;
  let previous = 0;
  if (inPlace) io.out(HIDE_CURSOR);
  try {
    while (!stopped) {
      const frame = render(await read());
      io.out(inPlace && previous > 0 ? `${up(previous)}${frame}` : frame);
      previous = frame.split('\n').length - 1;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, seconds * 1000);
      });
    }
  } finally {
    stopListening();
    if (inPlace) io.out(SHOW_CURSOR);
  }
  return EXIT.ok;
}

/**
 * The `strata stats` screen: a row per data type with its hit ratio as a bar against its target
 * (a `│` marks it, so the gap shows at a glance), reads, loads, stale serves and
 * keys in Redis; then the breaker, the outbox and Redis memory.
 */
import type { Io } from '../io.ts';
import { bytes, duration, pad } from './format.ts';

/** The origin's `OperatorStats` (`origin/operator/stats.ts`), as the CLI reads it. */
export interface Stats {
  since: number;
  now: number;
  types: Record<string, { reads: Record<string, number>; hitRatio: number | null; target: number | null; loads: { ok: number; error: number } }>;
  breaker: string;
  pendingInvalidations: number;
  outboxPending: number;
  redis: {
    store: string;
    status: 'ok' | 'down';
    error?: string;
    usedMemoryBytes?: number | null;
    maxMemoryBytes?: number | null;
    evictionPolicy?: string | null;
    totalKeys?: number;
    keys?: Record<string, number>;
    exact?: boolean;
  };
}

/** The order of rows: the types with a target first, strictest first. */
export const TYPE_ORDER = ['session', 'config', 'user', 'api', 'resource'];

const BAR_WIDTH = 20;

/** A bar of `ratio` (0–1) with the target's position marked. */
export function ratioBar(ratio: number | null, target: number | null, io: Io): string {
  const c = io.colors;
  const filled = ratio === null ? 0 : Math.round(ratio * BAR_WIDTH);
  const mark = target === null ? -1 : Math.min(BAR_WIDTH - 1, Math.round(target * BAR_WIDTH));
  let bar = '';
  for (let i = 0; i < BAR_WIDTH; i++) {
    if (i === mark) bar += c.bold('│');
    else bar += i < filled ? '█' : '░';
  }
  if (ratio === null) return c.dim(bar);
  if (target === null) return c.cyan(bar);
  return ratio >= target ? c.green(bar) : c.red(bar);
}

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** The screen for `stats`, as lines. */
export function statsLines(stats: Stats, origin: string, io: Io): string[] {
  const c = io.colors;
  const breaker = stats.breaker === 'closed' ? c.green('closed') : c.red(stats.breaker);
  const lines = [
    `${c.bold('Strata caches')} · origin ${origin} · counting for ${duration(stats.now - stats.since)}`,
    `breaker ${breaker} · purges waiting in the outbox ${stats.outboxPending} · tenants with an invalidation pending ${stats.pendingInvalidations}`,
    '',
    c.bold(
      `${pad('type', 9)}${pad('hit ratio', BAR_WIDTH + 2)}${pad('now', 8, 'right')}${pad('target', 8, 'right')}${pad('gap', 8, 'right')}${pad('reads', 9, 'right')}${pad('loads', 8, 'right')}${pad('stale', 8, 'right')}${pad('bypass', 8, 'right')}${pad('keys', 9, 'right')}`,
    ),
  ];
  const types = [...TYPE_ORDER.filter((t) => t in stats.types), ...Object.keys(stats.types).filter((t) => !TYPE_ORDER.includes(t))];
  for (const type of types) {
    const t = stats.types[type]!;
    const reads = Object.values(t.reads).reduce((a, b) => a + b, 0);
    const stale = (t.reads.stale ?? 0) + (t.reads.stale_error ?? 0);
    const gap =
      t.hitRatio === null || t.target === null
        ? ''
        : t.hitRatio >= t.target
          ? c.green(`+${((t.hitRatio - t.target) * 100).toFixed(1)}`)
          : c.red(((t.hitRatio - t.target) * 100).toFixed(1));
    const loads = `${t.loads.ok + t.loads.error}${t.loads.error ? c.red(` (${t.loads.error}!)`) : ''}`;
    const keys = stats.redis.keys?.[type];
    lines.push(
      `${pad(type, 9)}${ratioBar(t.hitRatio, t.target, io)}  ${pad(percent(t.hitRatio), 8, 'right')}${pad(t.target === null ? '—' : percent(t.target), 8, 'right')}${pad(gap, 8, 'right')}${pad(String(reads), 9, 'right')}${pad(loads, 8, 'right')}${pad(String(stale), 8, 'right')}${pad(String(t.reads.bypass ?? 0), 8, 'right')}${pad(keys === undefined ? '?' : `${stats.redis.exact ? '' : '~'}${keys}`, 9, 'right')}`,
    );
  }
  lines.push('');
  const r = stats.redis;
  if (r.status === 'down') {
    lines.push(`${c.bold('redis')} (${r.store}) ${c.red('unreachable')}: ${r.error ?? ''}`);
  } else {
    const limit = r.maxMemoryBytes ? bytes(r.maxMemoryBytes) : 'no limit';
    const engine = r.keys ? ` · engine keys ${r.keys.engine ?? 0} · other ${r.keys.other ?? 0}` : '';
    lines.push(
      `${c.bold('redis')} (${r.store}) memory ${bytes(r.usedMemoryBytes)} of ${limit}${r.evictionPolicy ? ` (${r.evictionPolicy})` : ''} · ${r.totalKeys ?? '?'} keys${r.exact === false ? ' (per type: sampled)' : ''}${engine}`,
    );
  }
  lines.push(c.dim('hit ratio = (hit + stale + stale_error) / reads in this origin process; │ marks the target'));
  return lines;
}

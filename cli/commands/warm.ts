/**
 * `strata warm --tenant T`: loads the tenant's users, projects and configuration from PostgreSQL
 * into Redis through the origin's operator API, a batch per request (each batch: one query, one
 * pipelined write per Redis node), paced to `--rate` rows a second, with a progress bar, a
 * checkpoint after every batch (an interrupted warm resumes where it stopped), and a summary.
 */
import { Presets, SingleBar } from 'cli-progress';
import { isTenantId } from '../../common/ids.ts';
import type { CommandContext } from '../context.ts';
import { CliError, EXIT, shownUrl, usage } from '../errors.ts';
import { operatorCall } from '../http.ts';
import { pacer } from '../pace.ts';
import { needOperator } from '../target.ts';
import { checkpointPath, readCheckpoint, removeCheckpoint, writeCheckpoint, type Checkpoint, type TypeProgress } from './checkpoint.ts';

/** What can be warmed, in the order they are warmed (the origin's `WARM_TYPES`). */
export const WARM_TYPES = ['users', 'projects', 'config'] as const;
type WarmType = (typeof WARM_TYPES)[number];

/** The origin's largest batch (`WARM_MAX_BATCH`). */
const MAX_BATCH = 500;

/** The options of `strata warm`. */
export interface WarmOptions {
  tenant?: string;
  types?: string;
  batchSize?: string;
  rate?: string;
  checkpoint?: string;
  restart?: boolean;
}

interface Inventory {
  tenant: string;
  rows: Record<WarmType, number>;
}

interface Batch {
  rows: number;
  keys: number;
  next: string | null;
}

function parseTypes(value: string | undefined): WarmType[] {
  if (value === undefined) return [...WARM_TYPES];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw usage('--types: name at least one of users, projects, config');
  for (const name of names)
    if (!(WARM_TYPES as readonly string[]).includes(name)) throw usage(`--types: unknown type ${JSON.stringify(name)} (users, projects, config)`);
  return WARM_TYPES.filter((type) => names.includes(type));
}

function parseNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max)
    throw usage(`${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return number;
}

/** Runs `strata warm`. */
export async function warm(context: CommandContext, options: WarmOptions): Promise<number> {
  const { io } = context;
  const tenant = options.tenant;
  if (tenant === undefined) throw usage('warm needs --tenant <tenant>');
  if (!isTenantId(tenant)) throw usage(`--tenant ${JSON.stringify(tenant)}: not a tenant id (lowercase letters, digits, dashes)`);
  const types = parseTypes(options.types);
  const batchSize = parseNumber(options.batchSize, '--batch-size', 100, 1, MAX_BATCH);
  if (!Number.isInteger(batchSize)) throw usage('--batch-size: expected a whole number');
  const rate = parseNumber(options.rate, '--rate', 500, 0, 1_000_000);
  const target = await context.target();
  const endpoint = needOperator(target, 'warm');
  const { originUrl } = endpoint;
  const path = options.checkpoint ?? checkpointPath(tenant, target.localDir, context.cwd);

  let inventory: Inventory;
  try {
    inventory = await operatorCall<Inventory>(endpoint, `/ops/tenants/${tenant}`);
  } catch (error) {
    if (error instanceof CliError && /does not exist/.test(error.message)) throw new CliError(`unknown tenant ${JSON.stringify(tenant)}: nothing was warmed`);
    throw error;
  }

  // Resume from the checkpoint when it describes the same warm; refuse to guess otherwise.
  if (options.restart) await removeCheckpoint(path);
  const found = await readCheckpoint(path);
  const origin = shownUrl(originUrl);
  if (found && (found.tenant !== tenant || found.origin !== origin || found.types.join(',') !== types.join(','))) {
    throw usage(
      `the checkpoint ${path} is for tenant ${found.tenant}, types ${found.types.join(',')} at ${found.origin}; run that warm again to finish it, or pass --restart`,
    );
  }
  const now = () => new Date(context.now()).toISOString();
  const fresh = (): TypeProgress => ({ after: null, done: false, rows: 0, keys: 0, batches: 0 });
  const checkpoint: Checkpoint = found ?? {
    version: 1,
    tenant,
    origin,
    types,
    progress: Object.fromEntries(types.map((type) => [type, fresh()])),
    startedAt: now(),
    updatedAt: now(),
  };
  const resumed = found !== undefined;
  const total = types.reduce((sum, type) => sum + inventory.rows[type], 0);
  const doneBefore = types.reduce((sum, type) => sum + checkpoint.progress[type]!.rows, 0);

  const bar =
    io.errTty && !context.json
      ? new SingleBar(
          { stream: io.stderr, format: ' {bar} {percentage}% | {value}/{total} rows | {type} | {speed} rows/s', hideCursor: true, clearOnComplete: true },
          Presets.shades_classic,
        )
      : undefined;
  if (!context.json && resumed) io.err(`resuming the warm of ${tenant} from ${path} (${doneBefore} rows already warmed)`);
  bar?.start(Math.max(total, doneBefore), doneBefore, { type: types[0], speed: 0 });

  let stopping = false;
  const stopListening = context.onInterrupt(() => {
    stopping = true;
  });
  const started = context.now();
  const pace = pacer(rate, { now: () => context.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
  let sent = 0;
  try {
    for (const type of types) {
      const progress = checkpoint.progress[type]!;
      while (!progress.done && !stopping) {
        const batch = await operatorCall<Batch>(endpoint, '/ops/warm', {
          method: 'POST',
          body: { tenant, type, after: progress.after, limit: batchSize },
        });
        progress.rows += batch.rows;
        progress.keys += batch.keys;
        progress.batches += 1;
        progress.after = batch.next ?? progress.after;
        progress.done = batch.next === null;
        checkpoint.updatedAt = now();
        await writeCheckpoint(path, checkpoint);
        sent += batch.rows;
        const elapsed = context.now() - started;
        bar?.update(doneBefore + sent, { type, speed: elapsed > 0 ? Math.round((sent / elapsed) * 1000) : 0 });
        if (!progress.done) await pace(sent);
      }
      if (stopping) break;
    }
  } finally {
    stopListening();
    bar?.stop();
  }

  const seconds = (context.now() - started) / 1000;
  const rows = types.reduce((sum, type) => sum + checkpoint.progress[type]!.rows, 0);
  const keys = types.reduce((sum, type) => sum + checkpoint.progress[type]!.keys, 0);
  const complete = types.every((type) => checkpoint.progress[type]!.done);
  if (complete) await removeCheckpoint(path);
  const summary = {
    tenant,
    complete,
    resumed,
    rows,
    keys,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: seconds > 0 ? Math.round(sent / seconds) : null,
    types: checkpoint.progress,
    checkpoint: complete ? null : path,
  };
  if (context.json) {
    io.out(`${JSON.stringify(summary)}\n`);
  } else {
    const c = io.colors;
    const lines = types.map((type) => {
      const p = checkpoint.progress[type]!;
      return `  ${type.padEnd(9)}${String(p.rows).padStart(7)} rows  ${String(p.keys).padStart(7)} keys  ${String(p.batches).padStart(5)} batches  ${p.done ? c.green('done') : c.yellow('not finished')}`;
    });
    const head = complete
      ? `${c.green('warmed')} ${tenant}: ${rows} rows, ${keys} Redis entries in ${seconds.toFixed(1)} s${resumed ? ' (resumed)' : ''}`
      : `${c.yellow('interrupted')}: ${rows} of ${total} rows of ${tenant} warmed; run the same command again to resume from ${path}`;
    io.out(`${head}\n${lines.join('\n')}\n`);
  }
  return complete ? EXIT.ok : EXIT.interrupted;
}

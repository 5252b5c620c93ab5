/**
 * Periodic housekeeping of the Node server (`server.ts` runs it while it listens): pruning
 * expired sessions. On AWS the scheduled outbox Lambda (`outbox-lambda.ts`) does the same work
 * every minute instead.
 */
import type { Queryable } from './db/index.ts';
import { log } from './log.ts';
import { pruneExpiredSessions } from './sessions/prune.ts';

/** How often and what to tell when a run ends. */
export interface MaintenanceOptions {
  /** @default 60000 */
  intervalMs?: number;
  /** Called after each run, failed or not. */
  onRun?: () => void;
}

/** Starts the loop; `stop` ends it. A run that fails is logged and tried again next interval. */
export function startMaintenance(db: Queryable, options: MaintenanceOptions = {}): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const pruned = await pruneExpiredSessions(db);
      if (pruned > 0) log.info('expired sessions pruned', { pruned });
    } catch (error) {
      log.warn('session pruning failed', { error: String(error) });
    } finally {
      running = false;
      options.onRun?.();
    }
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

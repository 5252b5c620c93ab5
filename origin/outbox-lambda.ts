/**
 * Scheduled Lambda entry of the purge-outbox deliverer (every stage wires it to the EventBridge
 * rule of infra/constructs/outbox-schedule, every minute). It sends
 * what the after-commit kick could not: purges made while the edge was down, or by an instance
 * that stopped before its kick finished; and prunes expired sessions. The database connection is
 * reused across invocations.
 */
// First: stack traces are mapped to the sources from here on (without --enable-source-maps).
import './stack-traces.ts';
import { purgeTargetOptions } from './cloudfront/index.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { log } from './log.ts';
import { pruneExpiredSessions } from './sessions/prune.ts';
import { countPending, OutboxDeliverer, type DeliveryReport } from './outbox/index.ts';
import { openRuntimeSecrets } from './secrets/index.ts';

const config = loadConfig();
const secrets = await openRuntimeSecrets(config.secrets);
const db = await openDatabase(config.database);
const deliverer = new OutboxDeliverer({
  db,
  url: config.purge.url,
  secret: secrets.purge ?? config.purge.secret,
  ...purgeTargetOptions(config.purge.cloudfront),
});

/** Delivers every due purge and prunes expired sessions; reports what it did and how many purges still wait. */
export async function handler(): Promise<DeliveryReport & { pending: number; prunedSessions: number }> {
  const report = await deliverer.deliverPending();
  const pending = await countPending(db);
  // The one schedule the origin has on AWS: housekeeping rides on it, a bounded batch per run.
  const prunedSessions = await pruneExpiredSessions(db).catch((error: unknown) => {
    log.warn('session pruning failed', { error: String(error) });
    return 0;
  });
  log.info('purge outbox run', { ...report, pending, prunedSessions });
  return { ...report, pending, prunedSessions };
}

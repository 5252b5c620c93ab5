/**
 * Scheduled Lambda entry of the purge-outbox deliverer (`-c outboxEntry=origin/outbox-lambda.ts`
 * wires it to the EventBridge rule of infra/constructs/outbox-schedule, every minute). It sends
 * what the after-commit kick could not: purges made while the edge was down, or by an instance
 * that stopped before its kick finished. The database connection is reused across invocations.
 */
import { loadConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { log } from './log.ts';
import { countPending, OutboxDeliverer, type DeliveryReport } from './outbox/index.ts';
import { openRuntimeSecrets } from './secrets/index.ts';

const config = loadConfig();
const secrets = await openRuntimeSecrets(config.secrets);
const db = await openDatabase(config.database);
const deliverer = new OutboxDeliverer({ db, url: config.purge.url, secret: secrets.purge ?? config.purge.secret });

/** Delivers every due purge; reports what it did and how many still wait. */
export async function handler(): Promise<DeliveryReport & { pending: number }> {
  const report = await deliverer.deliverPending();
  const pending = await countPending(db);
  log.info('purge outbox run', { ...report, pending });
  return { ...report, pending };
}

/**
 * The purge outbox: records written with the change they purge, delivered to the edge after
 * each commit and on a schedule (`origin/outbox-lambda.ts`), until acknowledged.
 */
export { backoffMs, OutboxDeliverer, type DeliveryReport, type OutboxDelivererOptions, type PurgeTarget } from './deliverer.ts';
export { claimDue, countPending, enqueuePurge, markDelivered, markFailed, releaseBackoff, type OutboxRecord } from './store.ts';

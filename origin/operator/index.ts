/** The operator API (`routes.ts`), for the `strata` CLI. */
export { operatorRoutes } from './routes.ts';
export type { OperatorToken } from './auth.ts';
export type { KeyReport, ScopeState } from './inspect.ts';
export type { OperatorStats, RedisStats } from './stats.ts';
export { WARM_MAX_BATCH, WARM_TYPES, type WarmBatch, type WarmInventory, type WarmType } from './warm.ts';

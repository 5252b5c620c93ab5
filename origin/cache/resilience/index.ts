/** What keeps a failing store from failing the app: the circuit breaker and the store-call guard. */
export { createBreaker, DEFAULT_BREAKER, type BreakerOptions, type BreakerState, type StoreBreaker } from './breaker.ts';
export { StoreGuard } from './guard.ts';

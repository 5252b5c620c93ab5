/**
 * Runs once per `vitest run`, before any test process starts: the origin's Powertools logger is
 * silent in tests (`POWERTOOLS_LOG_LEVEL=SILENT`, which test processes and the processes they
 * spawn inherit), since it writes to standard output directly, past vitest's per-test capture.
 * Set POWERTOOLS_LOG_LEVEL yourself (e.g. `INFO`) to see those logs. Console output (the edge's
 * logger, in workerd) is captured per test and shown only for failed tests (`silent: 'passed-only'`
 * in vitest.config.ts).
 */
export default function setup(): void {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
}

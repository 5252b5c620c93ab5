/**
 * The edge's one logger: a JSON line per event, which Workers Logs index by field. `info` goes to
 * standard output, `warn` and `error` to standard error, so a reader of either stream (or a test
 * that captures one) sees each kind of line in one place.
 */

/** How much an event matters: `info` is routine, `warn` a failure the edge rides out, `error` a fault. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Writes one JSON line: `{ level, msg, ...fields }`. */
export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'info') console.log(line);
  else console.error(line);
}

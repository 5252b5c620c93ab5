/**
 * Load from `wrk`, a native load generator in a process of its own (the benchmark's Node process
 * would otherwise compete with the server it measures for the same event loop): one thread, a
 * fixed number of connections, each sending its next request as soon as the last is answered.
 * Run through `sh` so the shell's `times` reports the CPU wrk used, which tells whether the
 * generator could have been the bottleneck.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Which paths a run asks for (`wrk.lua`). */
export type PathMode = { mode: 'one' } | { mode: 'cycle'; count: number } | { mode: 'fresh'; prefix: string };

/** What `wrk` measured. */
export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU wrk used (user + system), in seconds. */
  cpuSeconds: number;
  durationSeconds: number;
}

const SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url));

/** Seconds from a `times` field such as `0m1.234s` or `1m0.50s`. */
function seconds(field: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(field);
  if (!match) throw new Error(`unexpected times field: ${field}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Reads wrk's summary line and the shell's `times` lines; throws on any failed request. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = /^WRK_RESULT (.*)$/m.exec(stdout)?.[1];
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const summary = JSON.parse(line) as { requests: number; durationUs: number; statusErrors: number; socketErrors: number; p50Us: number; p99Us: number };
  if (summary.statusErrors > 0 || summary.socketErrors > 0) {
    throw new Error(`wrk: ${summary.statusErrors} responses were not 2xx/3xx and ${summary.socketErrors} failed at the socket`);
  }
  // `times`: the shell's own user and system time, then its children's (wrk's).
  const times = stdout.trimEnd().split('\n').slice(-2);
  const children = times[1]?.trim().split(/\s+/) ?? [];
  if (children.length !== 2) throw new Error(`no times output after wrk:\n${stdout}`);
  const durationSeconds = summary.durationUs / 1e6;
  return {
    requests: summary.requests,
    rps: summary.requests / durationSeconds,
    p50Ms: summary.p50Us / 1000,
    p99Ms: summary.p99Us / 1000,
    cpuSeconds: seconds(children[0]!) + seconds(children[1]!),
    durationSeconds,
  };
}

/** Loads `url` with `connections` connections for `durationSeconds`, asking for `paths`. */
export async function runWrk(url: string, paths: PathMode, connections: number, durationSeconds: number): Promise<WrkResult> {
  const env: Record<string, string> = { ...process.env, WRK_MODE: paths.mode } as Record<string, string>;
  if (paths.mode === 'cycle') env.WRK_COUNT = String(paths.count);
  if (paths.mode === 'fresh') env.WRK_PREFIX = paths.prefix;
  const args = ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--timeout', '10s', '-s', SCRIPT, url];
  const child = spawn('sh', ['-c', 'wrk "$@"; status=$?; times; exit $status', 'wrk', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`wrk exited with ${code} (is wrk installed? apt-get install wrk):\n${stderr}${stdout}`);
  return parseWrkOutput(stdout);
}

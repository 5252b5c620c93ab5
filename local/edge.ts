/**
 * The edge Worker of the local stack: `wrangler dev` (workerd) on a fixed address, its bindings
 * from an env file the stack writes (so secrets never appear on a command line), supervised: if
 * it exits on its own it is started again, and every time it (re)starts answering, `onReady`
 * runs (the stack then redelivers the purges that waited while it was down). wrangler runs as
 * a process group (its CLI and workerd under a wrapper), stopped and cleaned up as one: killing
 * only the wrapper would leave workerd holding the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** How the local edge runs. */
export interface LocalEdgeOptions {
  host: string;
  port: number;
  /** Worker bindings (vars and secrets), written to `envFile`. */
  bindings: Record<string, string>;
  /** Where the bindings file goes (mode 0600). */
  envFile: string;
  /** The Cache API's folder; `wrangler dev`'s default `.wrangler/state` when absent. */
  persistTo?: string;
  /** Pass wrangler's and the Worker's output through (the dev command); tests keep it quiet. */
  output: 'inherit' | 'ignore';
  /** Runs each time the edge starts answering, the first time included. */
  onReady?: () => void;
  /** Reports a crash and the restart that follows, with wrangler's last lines of output when quiet. */
  onCrash?: (code: number | null, output: string) => void;
}

const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

// A crash loop gives up after this many restarts within RESTART_WINDOW_MS.
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;

// Groups still running, killed if this process exits without stopping them.
const groups = new Set<number>();
process.once('exit', () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * dotenv's quoting: single quotes keep a value literally (JSON such as `ROUTE_POLICY` included);
 * double quotes only turn `\n` into newlines and do not unescape `\"`, so they carry values
 * with a single quote or a newline, which must then hold no double quote.
 */
export function envFileValue(value: string): string {
  if (!value.includes("'") && !value.includes('\n') && !value.includes('\r')) return `'${value}'`;
  if (!value.includes('"') && !value.includes('\\')) return `"${value.replaceAll('\n', '\\n')}"`;
  throw new Error('an edge binding may not hold both a single quote or newline and a double quote or backslash');
}

function envFileText(bindings: Record<string, string>): string {
  return Object.entries(bindings)
    .map(([name, value]) => `${name}=${envFileValue(value)}\n`)
    .join('');
}

/** Resolves once `url` answers HTTP at all, or rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (response) => (await response.body?.cancel(), true),
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** `wrangler dev` under supervision. */
export class LocalEdge {
  readonly url: string;
  readonly #options: LocalEdgeOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #wanted = false;
  #restarts: number[] = [];
  // wrangler's last lines when its output is not shown: what a crash report needs.
  #tail: string[] = [];

  constructor(options: LocalEdgeOptions) {
    this.#options = options;
    this.url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  }

  /** Starts the Worker and resolves once it answers (first start: up to 60 s for workerd). */
  async start(): Promise<void> {
    this.#wanted = true;
    await writeFile(this.#options.envFile, envFileText(this.#options.bindings), { mode: 0o600 });
    await chmod(this.#options.envFile, 0o600);
    this.#spawn();
    await this.#whenReady();
  }

  /** Stops the Worker; it stays down until `start`. */
  async stop(): Promise<void> {
    this.#wanted = false;
    const pid = this.#child?.pid;
    if (pid !== undefined) killGroup(pid, 'SIGTERM');
    await this.#exited;
  }

  #spawn(): void {
    const { host, port, envFile, persistTo, output } = this.#options;
    const args = [wranglerBin, 'dev', '--ip', host, '--port', String(port), '--env-file', envFile];
    if (persistTo) args.push('--persist-to', persistTo);
    args.push('--show-interactive-dev-session=false', '--log-level', 'warn');
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', output === 'inherit' ? 'inherit' : 'pipe', output === 'inherit' ? 'inherit' : 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) groups.add(pid);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (text: string) => {
        this.#tail = [...this.#tail, ...text.split('\n').filter(Boolean)].slice(-40);
      });
    }
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        // What the wrapper leaves behind (workerd, wrangler's CLI) goes with it.
        if (pid !== undefined) {
          killGroup(pid, 'SIGKILL');
          groups.delete(pid);
        }
        if (this.#child === child) this.#child = undefined;
        resolve();
        if (this.#wanted) this.#restartAfterCrash(code);
      }),
    );
  }

  async #whenReady(): Promise<void> {
    const child = this.#child;
    await waitForHttp(`${this.url}/_strata/health`, 60_000, () => this.#child === child && child !== undefined);
    this.#options.onReady?.();
  }

  #restartAfterCrash(code: number | null): void {
    const now = Date.now();
    this.#restarts = [...this.#restarts.filter((at) => now - at < RESTART_WINDOW_MS), now];
    this.#options.onCrash?.(code, this.#tail.join('\n'));
    if (this.#restarts.length > MAX_RESTARTS) {
      this.#wanted = false;
      return;
    }
    setTimeout(() => {
      if (!this.#wanted || this.#child) return;
      this.#spawn();
      this.#whenReady().catch(() => {});
    }, RESTART_DELAY_MS).unref();
  }

  /** wrangler's process id (its group holds workerd), while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** False once a crash loop made the supervisor give up. */
  get supervised(): boolean {
    return this.#wanted;
  }
}

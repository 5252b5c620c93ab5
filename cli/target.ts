/**
 * Which stack the CLI talks to, and with which secrets. Flags win over environment variables.
 * With neither an edge nor an origin URL given, the local stack is found through the file
 * `npm run dev` writes (`.data/dev/stack.json`: URLs, purge key, operator and debug tokens);
 * with one given, the stack file is not read (a deployed stack's URLs never mix with a local
 * run's keys) unless `--stack-file` names it. Secrets are held here and never printed. A
 * deployed origin sits behind API Gateway, which admits only requests carrying the edge's token
 * (`x-strata-edge-token`): given `--edge-token` or `STRATA_EDGE_TOKEN`, every request to the
 * origin URL carries it (the local stack has no gateway, so its stack file has none).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, usage } from './errors.ts';

/** The global options every command accepts. */
export interface TargetOptions {
  edgeUrl?: string;
  originUrl?: string;
  purgeSecret?: string;
  operatorToken?: string;
  debugToken?: string;
  edgeToken?: string;
  stackFile?: string;
}

/** A resolved stack. */
export interface Target {
  readonly edgeUrl: string | undefined;
  readonly originUrl: string | undefined;
  readonly purgeSecret: string | undefined;
  readonly operatorToken: string | undefined;
  readonly debugToken: string | undefined;
  /** The edge's credential toward API Gateway (`strata/<stage>/edge-origin-token`), sent to the origin. */
  readonly edgeToken: string | undefined;
  /** Where the local stack's files live (its stack file's folder); undefined for a deployed stack. */
  readonly localDir: string | undefined;
  /** How it was found, for people: `local stack (…/stack.json)` or `flags and environment`. */
  readonly source: string;
}

/** Environment variables read, by option. */
export const ENV = {
  edgeUrl: 'STRATA_EDGE_URL',
  originUrl: 'STRATA_ORIGIN_URL',
  purgeSecret: 'STRATA_PURGE_SECRET',
  operatorToken: 'STRATA_OPERATOR_TOKEN',
  debugToken: 'STRATA_DEBUG_TOKEN',
  edgeToken: 'STRATA_EDGE_TOKEN',
  stackFile: 'STRATA_STACK_FILE',
} as const;

/** Where `npm run dev` writes its stack file, from the repository's root. */
export const DEFAULT_STACK_FILE = '.data/dev/stack.json';

interface StackFile {
  pid?: number;
  edgeUrl?: string;
  originUrl?: string;
  purgeSecret?: string;
  operatorToken?: string;
  debugToken?: string;
}

function httpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value)) throw usage(`${name}: not a URL (expected http(s)://host[:port])`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`${name}: not an http(s) URL`);
  return value.replace(/\/+$/, '');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readStackFile(path: string, explicit: boolean): Promise<StackFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return undefined;
    throw new CliError(`cannot read the stack file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: StackFile;
  try {
    parsed = JSON.parse(text) as StackFile;
  } catch {
    throw new CliError(`the stack file ${path} is not JSON`);
  }
  if (typeof parsed.pid === 'number' && !alive(parsed.pid)) {
    throw new CliError(
      `the stack file ${path} is left from an \`npm run dev\` that is no longer running (pid ${parsed.pid}); start it again, or give --origin-url/--edge-url`,
    );
  }
  return parsed;
}

/** Resolves the stack from `options` (flags), then `env`, then the stack file. */
export async function resolveTarget(options: TargetOptions, env: Record<string, string | undefined>, cwd: string): Promise<Target> {
  const pick = (name: keyof typeof ENV) => options[name] ?? (env[ENV[name]] || undefined);
  const given = { edgeUrl: pick('edgeUrl'), originUrl: pick('originUrl') };
  const stackPath = pick('stackFile');
  const useFile = stackPath !== undefined || (given.edgeUrl === undefined && given.originUrl === undefined);
  const path = resolve(cwd, stackPath ?? DEFAULT_STACK_FILE);
  const file = useFile ? await readStackFile(path, stackPath !== undefined) : undefined;
  const edgeUrl = httpUrl(given.edgeUrl, options.edgeUrl !== undefined ? '--edge-url' : ENV.edgeUrl) ?? httpUrl(file?.edgeUrl, `edgeUrl in ${path}`);
  const originUrl =
    httpUrl(given.originUrl, options.originUrl !== undefined ? '--origin-url' : ENV.originUrl) ?? httpUrl(file?.originUrl, `originUrl in ${path}`);
  if (!edgeUrl && !originUrl) {
    throw new CliError(
      `no stack found: start \`npm run dev\` in the repository (it writes ${DEFAULT_STACK_FILE}), or give --origin-url/--edge-url (${ENV.originUrl}/${ENV.edgeUrl})`,
    );
  }
  return {
    edgeUrl,
    originUrl,
    purgeSecret: pick('purgeSecret') ?? file?.purgeSecret,
    operatorToken: pick('operatorToken') ?? file?.operatorToken,
    debugToken: pick('debugToken') ?? file?.debugToken,
    edgeToken: pick('edgeToken'),
    localDir: file ? dirname(path) : undefined,
    source: file ? `local stack (${path})` : 'flags and environment',
  };
}

/** The edge's URL, or a clear error naming how to give it. */
export function needEdge(target: Target, command: string): string {
  if (!target.edgeUrl) throw usage(`${command} needs the edge's URL: --edge-url or ${ENV.edgeUrl}`);
  return target.edgeUrl;
}

/** Where and how the operator API is called. */
export interface OperatorEndpoint {
  readonly originUrl: string;
  /** The operator token (`Authorization: Bearer`). */
  readonly token: string;
  /** Sent as `x-strata-edge-token` when given (a deployed origin behind API Gateway). */
  readonly edgeToken?: string | undefined;
}

/** The operator API of `target`, when both its URL and the operator token are known. */
export function operatorEndpoint(target: Target): OperatorEndpoint | undefined {
  if (!target.originUrl || !target.operatorToken) return undefined;
  return { originUrl: target.originUrl, token: target.operatorToken, edgeToken: target.edgeToken };
}

/** The origin's URL and operator token, or a clear error naming how to give them. */
export function needOperator(target: Target, command: string): OperatorEndpoint {
  if (!target.originUrl) throw usage(`${command} needs the origin's URL: --origin-url or ${ENV.originUrl}`);
  if (!target.operatorToken) throw usage(`${command} needs the origin's operator token (OPERATOR_TOKEN): ${ENV.operatorToken} or --operator-token`);
  return operatorEndpoint(target)!;
}

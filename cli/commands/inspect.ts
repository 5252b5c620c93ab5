/**
 * `strata inspect KEY-OR-URL`: what each layer holds. For a URL (or a path of the edge): the
 * edge's decision, age and time to live from its debug header, asked with `Cache-Control:
 * only-if-cached` so that inspecting a cached route never fetches from the origin or stores
 * anything (other routes are forwarded as any GET would be); then
 * the Redis entries the origin reads for that path. For a Redis key: that entry. Redis entries
 * come from the origin's operator API: time to live, freshness windows, the scopes of its
 * versions and whether each is current, and the value with secrets redacted (sessions and
 * profiles are never decoded). The debug and operator tokens are never printed.
 */
import type { CommandContext } from '../context.ts';
import { shownUrl, usage } from '../errors.ts';
import { errorOf, operatorCall, send } from '../http.ts';
import { operatorEndpoint, type Target } from '../target.ts';
import { bytes, duration } from '../render/format.ts';

interface ScopeState {
  scope: string;
  current: boolean;
}

/** The origin's `KeyReport` (`origin/operator/inspect.ts`). */
interface KeyReport {
  key: string;
  type: string;
  tenant: string;
  present: boolean;
  ttlMs?: number | null;
  format?: string;
  freshness?: { freshUntil: string; staleUntil: string; errorUntil: string; state: string; remainingMs: number };
  scopes?: ScopeState[];
  valid?: boolean;
  bytes?: number;
  value?: unknown;
  members?: number;
}

/** What the edge said. */
interface EdgeReport {
  url: string;
  status: number;
  /** `stored` when it holds a response it would serve, `none` when `only-if-cached` found nothing. */
  holds: 'stored' | 'none' | 'not-cached-route' | 'error';
  cacheStatus: string | null;
  /** From `x-strata-cache-debug` (with the debug token): key, decision, age and ttl in seconds. */
  debug: Record<string, string> | null;
  debugTokenKnown: boolean;
  error?: string;
}

function parseDebug(header: string | null): Record<string, string> | null {
  if (!header) return null;
  return Object.fromEntries(
    header
      .split(';')
      .map((part) => part.trim().split('='))
      .filter((pair) => pair.length >= 2)
      .map(([name, ...value]) => [name!, value.join('=')]),
  );
}

async function askEdge(url: string, target: Target): Promise<EdgeReport> {
  const headers: Record<string, string> = { 'cache-control': 'only-if-cached' };
  if (target.debugToken) headers['x-strata-debug'] = target.debugToken;
  const response = await send('edge', url, { headers });
  const cacheStatus = response.headers.get('cache-status');
  const debug = parseDebug(response.headers.get('x-strata-cache-debug'));
  const base = { url: shownUrl(url), status: response.status, cacheStatus, debug, debugTokenKnown: Boolean(target.debugToken) };
  // `only-if-cached` with nothing stored that fits: 504 (RFC 9111 §5.2.1.7).
  if (response.status === 504 && !debug) {
    await response.body?.cancel();
    return { ...base, holds: 'none' };
  }
  if (!response.ok && !debug) {
    const { message } = await errorOf(response);
    return { ...base, holds: /strata-edge; fwd=bypass/.test(cacheStatus ?? '') ? 'not-cached-route' : 'error', error: message };
  }
  await response.body?.cancel();
  return { ...base, holds: /strata-edge; (hit|fwd=stale)/.test(cacheStatus ?? '') || debug ? 'stored' : 'not-cached-route' };
}

function preview(value: unknown, width: number): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function keyLines(report: KeyReport, context: CommandContext): string[] {
  const c = context.io.colors;
  if (!report.present) return [`  ${c.bold('redis')}   ${report.key}  ${c.yellow('absent')} (the next read loads it from PostgreSQL)`];
  const ttl = report.ttlMs === null ? 'no expiry' : `ttl ${duration(report.ttlMs ?? 0)}`;
  const lines = [
    `  ${c.bold('redis')}   ${report.key}  ${c.green('present')} · ${report.type} · ${ttl}${report.bytes !== undefined ? ` · ${bytes(report.bytes)}` : ''}`,
  ];
  if (report.format === 'set') lines.push(`          a session index: ${report.members} session(s)`);
  if (report.freshness) {
    const f = report.freshness;
    const state =
      f.state === 'fresh'
        ? c.green(`fresh for ${duration(f.remainingMs)}`)
        : f.state === 'expired'
          ? c.red('expired')
          : c.yellow(`${f.state} for ${duration(f.remainingMs)}`);
    lines.push(`          ${state} · fresh until ${f.freshUntil} · stale until ${f.staleUntil} · stale-if-error until ${f.errorUntil}`);
  }
  if (report.scopes) {
    const scopes = report.scopes.map((s) => `${s.scope} ${s.current ? c.green('current') : c.red('changed')}`).join(', ');
    lines.push(`          versions: ${scopes} → ${report.valid ? c.green('valid') : c.red('invalidated: the next read reloads it')}`);
  }
  if (report.value !== undefined) lines.push(`          value: ${preview(report.value, Math.max(40, context.io.columns - 20))}`);
  return lines;
}

function edgeLine(edge: EdgeReport, context: CommandContext): string {
  const c = context.io.colors;
  const status = edge.cacheStatus ? `  (Cache-Status: ${edge.cacheStatus})` : '';
  if (edge.holds === 'none') return `  ${c.bold('edge')}    ${c.yellow('nothing stored')} for ${edge.url}${status}`;
  if (edge.holds === 'not-cached-route') return `  ${c.bold('edge')}    not a cached route (${edge.status})${status}`;
  if (edge.holds === 'error') return `  ${c.bold('edge')}    ${c.red(`answered ${edge.status}`)}: ${edge.error}`;
  const d = edge.debug;
  const facts = d ? `decision ${d.decision} · age ${d.age ?? '?'} s · ttl ${d.ttl ?? '?'} s · key ${d.key}` : '(no debug token: decision, age and ttl unknown)';
  return `  ${c.bold('edge')}    ${c.green('stored')} · ${facts}${status}`;
}

/** Runs `strata inspect`. */
export async function inspect(context: CommandContext, subject: string): Promise<void> {
  const target = await context.target();
  const isUrl = /^https?:\/\//i.test(subject);
  const isPath = subject.startsWith('/');
  if (isUrl && !URL.canParse(subject)) throw usage(`${JSON.stringify(subject.slice(0, 200))}: not a URL`);
  if (!isUrl && !isPath && !/^[a-z]+:/.test(subject))
    throw usage(`${JSON.stringify(subject.slice(0, 200))}: give a URL, a path starting with / or a Redis key (user:{acme}:…)`);
  const path = isUrl ? `${new URL(subject).pathname}${new URL(subject).search}` : isPath ? subject : undefined;
  if (path !== undefined && !target.edgeUrl && !target.originUrl) throw usage('inspect of a URL needs --edge-url or --origin-url');

  const edgeUrl = isUrl ? subject : isPath && target.edgeUrl ? `${target.edgeUrl}${subject}` : undefined;
  const edge = edgeUrl ? await askEdge(edgeUrl, target) : undefined;
  let redis: { keys: KeyReport[]; note?: string } | undefined;
  const endpoint = operatorEndpoint(target);
  if (endpoint) {
    const query = path !== undefined ? `path=${encodeURIComponent(path)}` : `key=${encodeURIComponent(subject)}`;
    redis = await operatorCall<{ keys: KeyReport[] }>(endpoint, `/ops/inspect?${query}`);
  } else if (path === undefined) {
    throw usage('inspect of a Redis key needs the origin: --origin-url and the operator token (STRATA_OPERATOR_TOKEN)');
  } else {
    redis = { keys: [], note: 'origin not given (--origin-url, STRATA_OPERATOR_TOKEN): Redis not inspected' };
  }

  if (context.json) {
    context.io.out(
      `${JSON.stringify({ subject: isUrl ? shownUrl(subject) : subject, edge: edge ?? null, redis: redis.keys, ...(redis.note ? { note: redis.note } : {}) })}\n`,
    );
    return;
  }
  const lines = [context.io.colors.bold(isUrl ? shownUrl(subject) : subject)];
  if (edge) lines.push(edgeLine(edge, context));
  if (redis.note) lines.push(`  redis   ${redis.note}`);
  else if (redis.keys.length === 0) lines.push('  redis   the origin keeps nothing in Redis for this path');
  for (const report of redis.keys) lines.push(...keyLines(report, context));
  context.io.out(`${lines.join('\n')}\n`);
}

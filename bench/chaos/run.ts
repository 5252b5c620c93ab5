/**
 * Runs the mixed load against a started stack and injects each fault in turn while it runs:
 * a quiet baseline, then per fault prepare → inject → hold → lift → wait for a streak of
 * successes → pause writes and verify nothing acknowledged was lost → repair.
 */
import type { LocalStack } from '../../local/stack.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import type { Fault, FaultContext } from './faults.ts';
import { USERS } from './ledger.ts';
import { MixedLoad, type LoadRecord } from './load.ts';
import type { ChaosPostgres } from './postgres.ts';
import { failedPurgeDeliveries, verify, type Verdict } from './verify.ts';
import { count, errorsByStatus, firstStreak } from './window.ts';

/** The edge's vars under chaos: public routes short-lived (so stale-if-error is what serves them while the origin is down), and an address limit the load cannot reach. */
export const CHAOS_EDGE_VARS: Record<string, string> = {
  ROUTE_POLICY: JSON.stringify(
    ['/v1/:tenant/public/projects', '/v1/:tenant/public/projects/:id'].map((pattern) => ({
      pattern,
      mode: 'override',
      cacheErrors: false,
      ttlSeconds: 2,
      staleWhileRevalidateSeconds: 0,
      staleIfErrorSeconds: 86_400,
    })),
  ),
  RATE_LIMIT_IP_PER_MINUTE: '1000000',
};

/**
 * How far an edge read may lag an acknowledged write: the purge goal (delivered within 1 s,
 * `purge-latency`) plus the purge-version memo's bound in other isolates (1.5 s, README).
 */
export const EDGE_BOUND_MS = 2500;
const REQUEST_TIMEOUT_MS = 5000;
const BASELINE_MS = 5000;
const RECOVERY_DEADLINE_MS = 60_000;

export interface ChaosOptions {
  faults: readonly Fault[];
  postgres?: ChaosPostgres;
  workers?: number;
  seed?: number;
  /** Caps on the whole run. */
  maxRequests?: number;
  maxMs?: number;
  log?: (line: string) => void;
}

export interface FaultResult {
  name: string;
  what: string;
  /** Milliseconds from the lift to the first streak of successes (undefined: none within 60 s). */
  recoverMs: number | undefined;
  /** From the injection itself. */
  injectToRecoverMs: number | undefined;
  /** How long lifting took (a failover, a restart); 0 for a signal. */
  liftMs: number;
  requests: number;
  errors: Record<string, number>;
  /** Request latency from the injection until recovery (the baseline: its whole run), in ms. */
  latency: { p50: number; p99: number; max: number };
  edge5xx: number;
  /** The edge's `Cache-Status` on those 5xx, with counts: why it had nothing to serve. */
  edge5xxCacheStatus: Record<string, number>;
  edgeStaleIfError: number;
  staleEdgeReadsBeyondBound: number;
  staleOriginReads: number;
  /** Purge deliveries that failed from the injection to the end of verification (all since redelivered unless `purges_pending`). */
  purgeDeliveriesFailed: number;
  verdict: Verdict | undefined;
}

async function signIn(originUrl: string, tenant: string, email: string): Promise<string> {
  const response = await fetch(`${originUrl}/v1/${tenant}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (response.status !== 201 && response.status !== 200) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(stack: LocalStack, options: ChaosOptions): Promise<FaultResult[]> {
  const log = options.log ?? (() => {});
  const adminTokens: Record<string, string> = {};
  for (const user of USERS.filter((u) => u.admin)) adminTokens[user.tenant] = await signIn(stack.originUrl, user.tenant, user.email);
  const load = new MixedLoad({
    edgeUrl: stack.edgeUrl,
    originUrl: stack.originUrl,
    adminTokens,
    workers: options.workers ?? 4,
    maxRequests: options.maxRequests ?? 200_000,
    maxMs: options.maxMs ?? 15 * 60_000,
    edgeBoundMs: EDGE_BOUND_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    seed: options.seed ?? 13,
  });
  const context: FaultContext = { stack, load, postgres: options.postgres };
  const results: FaultResult[] = [];
  load.start();
  try {
    await sleep(BASELINE_MS);
    results.push({
      ...summarize(
        'baseline',
        'no fault: the load alone',
        load,
        { injectedAt: 0, liftedAt: 0, liftMs: 0, recoveredAt: undefined, verifyAt: load.now() },
        undefined,
      ),
      purgeDeliveriesFailed: await failedPurgeDeliveries(stack),
    });
    for (const fault of options.faults) {
      if (!load.running) throw new Error('the load reached its caps before every fault ran');
      await fault.prepare?.(context);
      const failedBefore = await failedPurgeDeliveries(stack);
      const injectedAt = load.now();
      log(`${fault.name}: injecting`);
      await fault.inject(context);
      await sleep(fault.holdMs);
      const liftedAt = load.now();
      await fault.lift(context);
      const liftMs = Math.round(load.now() - liftedAt);
      const recoveredAt = await firstStreak(load.records, () => load.now(), liftedAt, REQUEST_TIMEOUT_MS, liftedAt + RECOVERY_DEADLINE_MS);
      log(
        `${fault.name}: ${recoveredAt === undefined ? 'no recovery within 60 s' : `recovered ${Math.round(recoveredAt - liftedAt)} ms after the lift`}; verifying`,
      );
      await load.pauseWrites();
      const verifyAt = load.now();
      const verdict = await verify(stack, load.ledger, adminTokens, EDGE_BOUND_MS);
      const purgeDeliveriesFailed = (await failedPurgeDeliveries(stack)) - failedBefore;
      results.push({ ...summarize(fault.name, fault.what, load, { injectedAt, liftedAt, liftMs, recoveredAt, verifyAt }, verdict), purgeDeliveriesFailed });
      load.resumeWrites();
      await fault.repair?.(context);
      // Let the load run clean again before the next fault.
      await sleep(2000);
    }
  } finally {
    await load.stop();
  }
  return results;
}

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function latency(records: readonly LoadRecord[]): FaultResult['latency'] {
  const took = records.map((r) => r.end - r.start).sort((a, b) => a - b);
  const at = (q: number) => Math.round(took[Math.min(took.length - 1, Math.floor(q * took.length))] ?? Number.NaN);
  return { p50: at(0.5), p99: at(0.99), max: Math.round(took.at(-1) ?? Number.NaN) };
}

interface Timeline {
  injectedAt: number;
  liftedAt: number;
  liftMs: number;
  /** Undefined: no recovery came (or, for the baseline, none was needed). */
  recoveredAt: number | undefined;
  verifyAt: number;
}

function summarize(name: string, what: string, load: MixedLoad, t: Timeline, verdict: Verdict | undefined): Omit<FaultResult, 'purgeDeliveriesFailed'> {
  const records = load.records;
  const { injectedAt, liftedAt, recoveredAt, verifyAt } = t;
  // Errors count until service came back; with no recovery, until the verification.
  const errorsUntil = recoveredAt ?? verifyAt;
  return {
    name,
    what,
    recoverMs: recoveredAt === undefined ? undefined : Math.round(recoveredAt - liftedAt),
    injectToRecoverMs: recoveredAt === undefined ? undefined : Math.round(recoveredAt - injectedAt),
    liftMs: t.liftMs,
    latency: latency(records.filter((r) => r.start >= injectedAt && r.start < errorsUntil)),
    requests: count(records, injectedAt, verifyAt, () => true),
    errors: errorsByStatus(records, injectedAt, errorsUntil),
    edge5xx: count(records, injectedAt, errorsUntil, (r) => r.status >= 500, ['edge-read']),
    edge5xxCacheStatus: tally(records.filter((r) => r.start >= injectedAt && r.start < errorsUntil && r.cacheStatus !== undefined).map((r) => r.cacheStatus!)),
    edgeStaleIfError: count(records, injectedAt, verifyAt, (r) => r.staleIfError === true, ['edge-read']),
    staleEdgeReadsBeyondBound: count(records, injectedAt, verifyAt, (r) => r.stale, ['edge-read']),
    staleOriginReads: count(records, injectedAt, verifyAt, (r) => r.stale, ['origin-read']),
    verdict,
  };
}

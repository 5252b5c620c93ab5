/**
 * After each fault has healed, with writes paused: was anything acknowledged lost? Every
 * project in PostgreSQL must hold its last acknowledged write (or a later one that went
 * unanswered), the origin must serve that value, every queued purge must reach the edge so it
 * serves that value too, and every acknowledged sign-in must still work.
 */
import type { LocalStack } from '../../local/stack.ts';
import { drainOutbox } from './faults.ts';
import { PROJECTS, seqIn, type Ledger } from './ledger.ts';

export interface Verdict {
  /** Projects whose stored value is older than their last acknowledged write. */
  acknowledged_writes_lost: number;
  /** Projects the origin serves with another value than PostgreSQL holds. */
  origin_stale_after_recovery: number;
  /** Purges still undelivered 30 s after recovery. */
  purges_pending: number;
  /** Public responses the edge serves with an older value than PostgreSQL holds, once purges were delivered and the bound passed. */
  edge_stale_after_recovery: number;
  /** Acknowledged sign-ins whose token no longer works. */
  sessions_lost: number;
  sessions_checked: number;
}

/** Purge deliveries that failed so far (each is retried until the edge acknowledges it). */
export async function failedPurgeDeliveries(stack: LocalStack): Promise<number> {
  const [row] = await stack.services.db.query<{ n: number | string | null }>('SELECT sum(attempts) - count(delivered_at) AS n FROM purge_outbox');
  return Number(row?.n ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(url: string, token?: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}), signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function verify(stack: LocalStack, ledger: Ledger, adminTokens: Record<string, string>, edgeBoundMs: number): Promise<Verdict> {
  const rows = await stack.services.db.query<{ id: string; name: string }>('SELECT id, name FROM projects WHERE id = ANY($1)', [PROJECTS.map((p) => p.id)]);
  const stored = new Map(PROJECTS.map((p) => [p.id, seqIn(p, rows.find((row) => row.id === p.id)?.name ?? '')]));

  let lost = 0;
  let originStale = 0;
  for (const project of PROJECTS) {
    if (stored.get(project.id)! < ledger.lastAcked(project)) lost++;
    const read = await status(`${stack.originUrl}/v1/${project.tenant}/projects/${project.id}`, adminTokens[project.tenant]);
    if (read.status !== 200 || seqIn(project, read.body) !== stored.get(project.id)) originStale++;
  }

  const pending = await drainOutbox(stack);
  await sleep(edgeBoundMs);
  let edgeStale = 0;
  for (const project of PROJECTS.filter((p) => p.public)) {
    for (const path of [`/v1/${project.tenant}/public/projects/${project.id}`, `/v1/${project.tenant}/public/projects`]) {
      const read = await status(`${stack.edgeUrl}${path}`);
      if (read.status !== 200 || seqIn(project, read.body) !== stored.get(project.id)) edgeStale++;
    }
  }

  let sessionsLost = 0;
  const sessions = [...ledger.sessions];
  await eachLimited(sessions, 8, async (session) => {
    if ((await status(`${stack.originUrl}/v1/${session.tenant}/me`, session.token)).status !== 200) sessionsLost++;
  });
  return {
    acknowledged_writes_lost: lost,
    origin_stale_after_recovery: originStale,
    purges_pending: pending,
    edge_stale_after_recovery: edgeStale,
    sessions_lost: sessionsLost,
    sessions_checked: sessions.length,
  };
}

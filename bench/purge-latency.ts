/**
 * `npm run bench -- purge-latency [writes]`: how long after an acknowledged write the edge
 * serves the new data, in the `npm run dev` stack (wrangler dev, the origin's Node server, its
 * outbox, a local Upstash, a redis-server, PGlite), over `writes` (default 200) renames of a
 * public project. Before each write the edge holds the project (its read was a hit); after the
 * write's 2xx, the edge is read until the new name comes back. Goal: p99 ≤ 1 s.
 * Writes `bench/results/purge-latency.json` in the shared row format.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../origin/db/seed.ts';
import { logger } from '../origin/log.ts';
import { freePort } from '../local/ports.ts';
import { startLocalStack } from '../local/stack.ts';
import type { Row } from './rows.ts';

const PROJECT = '1a000000-0000-4000-8000-000000000001';
const ITEM = `/v1/acme/public/projects/${PROJECT}`;
// A read every POLL_MS while waiting: often enough for millisecond resolution, light on 2 cores.
const POLL_MS = 2;
// One client polls the edge hundreds of times a minute: above the dev stack's per-address limit
// (300 a minute), which answered 429 some 170 writes in and looked like an old name for 30 s.
const EDGE_VARS = { RATE_LIMIT_IP_PER_MINUTE: '1000000' };

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (ms: number) => Math.round(ms * 10) / 10;

export async function purgeLatency(writesArg?: string): Promise<void> {
  const writes = Number(writesArg ?? 200);
  if (!Number.isInteger(writes) || writes < 1) throw new Error(`writes must be a positive integer, got ${writesArg}`);
  logger.setLogLevel('ERROR');
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-bench-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, EDGE_PORT: String(await freePort()), ORIGIN_PORT: '0', PGLITE_DIR: 'memory://' };
  const stack = await startLocalStack({ env, dataDir, output: 'ignore', edgePersistTo: join(dataDir, 'edge'), edgeVars: EDGE_VARS });
  try {
    const signIn = await fetch(`${stack.originUrl}/v1/acme/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@acme.test', password: DEMO_PASSWORD }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const read = async () => {
      const response = await fetch(`${stack.edgeUrl}${ITEM}`);
      const body = await response.text();
      if (response.status !== 200) throw new Error(`a read of ${ITEM} at the edge answered ${response.status}: ${body.slice(0, 200)}`);
      return { status: response.headers.get('cache-status') ?? '', body };
    };

    const latencies: number[] = [];
    let polls = 0;
    let notHeld = 0;
    for (let i = 0; i < writes; i++) {
      await read();
      if (!/strata-edge; hit/.test((await read()).status)) notHeld++;
      const name = `Bench ${i} ${crypto.randomUUID().slice(0, 8)}`;
      const written = await fetch(`${stack.originUrl}/v1/acme/projects/${PROJECT}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (written.status !== 200) throw new Error(`write ${i} failed: ${written.status}`);
      await written.arrayBuffer();
      const acknowledged = performance.now();
      for (;;) {
        polls++;
        if ((await read()).body.includes(name)) break;
        if (performance.now() - acknowledged > 30_000) throw new Error(`write ${i}: the edge still served the old name after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      latencies.push(performance.now() - acknowledged);
      if ((i + 1) % 50 === 0) console.log(`${i + 1}/${writes} writes`);
    }
    latencies.sort((a, b) => a - b);
    const rows: Row[] = [
      { subject: 'strata', metric: 'write_to_fresh_p50_ms', value: round(quantile(latencies, 0.5)), unit: 'ms' },
      { subject: 'strata', metric: 'write_to_fresh_p99_ms', value: round(quantile(latencies, 0.99)), unit: 'ms' },
      { subject: 'strata', metric: 'write_to_fresh_max_ms', value: round(latencies.at(-1)!), unit: 'ms' },
      { subject: 'strata', metric: 'writes', value: writes, unit: 'count' },
      { subject: 'strata', metric: 'reads_while_waiting', value: Math.round((polls / writes) * 10) / 10, unit: 'per write' },
      { subject: 'strata', metric: 'writes_not_held_at_edge_before', value: notHeld, unit: 'count' },
    ];
    console.log(`\npurge-latency: ${writes} writes in the dev stack, acknowledged write → first fresh read at the edge`);
    console.table(rows.map(({ metric, value, unit }) => ({ metric, value, unit })));
    console.log(`goal p99 ≤ 1000 ms: ${quantile(latencies, 0.99) <= 1000 ? 'met' : 'NOT met'}`);
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/purge-latency.json', `${JSON.stringify({ rows }, null, 2)}\n`);
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * An outbox record the real edge refuses for good (a 400: its message breaks the purge grammar,
 * so no redelivery can succeed) does not hold up the purges queued behind it: they reach the edge
 * in the same run, and in every later run, even when refused records fill whole batches. The
 * refused record stays in the outbox with its error, retried on its backoff, and is logged.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PurgeMessage } from '../../common/purge.ts';
import type { UpstashServer } from '../../local/upstash/server.ts';
import { log } from '../../origin/log.ts';
import { enqueuePurge, releaseBackoff } from '../../origin/outbox/index.ts';
import { fileRedisUrl, startFileUpstash } from '../harness/file-redis.ts';
import { startStack, type Stack } from './stack.ts';

// The deliverer's batch size: refused records that fill a whole batch must not stop the run.
const BATCH = 50;

describe('an outbox record the edge refuses permanently', () => {
  let stack: Stack;
  let upstash: UpstashServer | undefined;
  let redis: Redis;
  const warnings: Record<string, unknown>[] = [];

  beforeAll(async () => {
    vi.spyOn(log, 'warn').mockImplementation((_msg, fields) => void warnings.push((fields ?? {}) as Record<string, unknown>));
    upstash = await startFileUpstash();
    stack = await startStack(
      { kind: 'redis', url: fileRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 },
      { purgeSecret: 'e2e-refused-secret', edgeBindings: { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } },
    );
    redis = new Redis(fileRedisUrl(), { protocol: 2 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
    await upstash?.stop();
    vi.restoreAllMocks();
  });

  const enqueue = (messages: Omit<PurgeMessage, 'id'>[]) =>
    stack.services.db.transaction(async (tx) => {
      const ids: string[] = [];
      for (const message of messages) ids.push((await enqueuePurge(tx, message)).id);
      return ids;
    });
  // A tag the purge grammar refuses: the edge answers 400 invalid_purge to every attempt.
  const refused = () => ({ tags: [`Not A Tag ${crypto.randomUUID()}`] });
  const good = () => ({ tags: [`project:${crypto.randomUUID()}`] });
  const arrived = async (id: string) => (await redis.exists(`edge:purge:${id}`)) === 1;
  const row = async (id: string) =>
    (
      await stack.services.db.query<{ attempts: number; delivered_at: Date | null; last_error: string | null }>(
        'SELECT attempts, delivered_at, last_error FROM purge_outbox WHERE id = $1',
        [id],
      )
    )[0];

  it('delivers the records behind it in the same run and in later runs, and keeps it with its error', async () => {
    const [bad, first, second] = await enqueue([refused(), good(), good()]);
    // Refused records of the other test may be due too: only this test's good ones are delivered.
    const report = await stack.services.outbox.deliverPending();
    expect(report.delivered).toBe(2);
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect([await arrived(first!), await arrived(second!), await arrived(bad!)]).toEqual([true, true, false]);
    expect(await row(bad!)).toEqual({ attempts: 1, delivered_at: null, last_error: 'HTTP 400' });
    expect(warnings).toContainEqual(expect.objectContaining({ id: bad, attempts: 1, error: 'HTTP 400' }));

    // Due again (its backoff released), it is refused again; what was queued meanwhile still goes.
    await releaseBackoff(stack.services.db);
    const [third] = await enqueue([good()]);
    expect(await stack.services.outbox.deliverPending()).toMatchObject({ delivered: 1, failed: expect.any(Number) });
    expect(await arrived(third!)).toBe(true);
    expect(await row(bad!)).toMatchObject({ attempts: 2, delivered_at: null, last_error: 'HTTP 400' });
  });

  it('does not stop a run when refused records fill whole batches ahead of a good one', async () => {
    const bads = await enqueue(Array.from({ length: BATCH + 5 }, refused));
    const [behind] = await enqueue([good()]);
    const report = await stack.services.outbox.deliverPending();
    expect(report.delivered).toBe(1);
    expect(report.failed).toBeGreaterThanOrEqual(bads.length);
    expect(await arrived(behind!)).toBe(true);
    // Each was tried in this run; the stack's own redelivery may have tried it again since.
    for (const id of bads) expect(await row(id)).toMatchObject({ attempts: expect.any(Number), delivered_at: null, last_error: 'HTTP 400' });
  });
});

import { describe, expect, it } from 'vitest';
import { ZONE_PURGE_BATCH, ZONE_PURGE_MAX_ATTEMPTS } from '../../edge/purge/index.ts';
import { freshTenant } from './edge-fetch.ts';
import { capturedZonePurges, deliver, freshId, zoneBindings } from './purge-support.ts';

const zone = (behaviour: string) => `${behaviour}-${crypto.randomUUID().slice(0, 8)}`;

describe('purge webhook: Cloudflare zone purge', () => {
  it('sends URLs, tags and prefixes in batches within the per-request limits', async () => {
    const [z, t, u] = [zone('ok'), freshTenant(), freshTenant()];
    const urls = [0, 1, 2].map((i) => `https://edge.test/v1/${t}/public/projects?page=${i}`);
    const tags = Array.from({ length: 250 }, (_, i) => `project:${t}-${i}`);
    const prefixes = Array.from({ length: 40 }, (_, i) => `/v1/${t}/public/p${i}`);
    const id = freshId();
    const result = await deliver(id, { id, urls, tags, prefixes, tenants: [u] }, { bindings: zoneBindings(z) });
    expect(result.json()).toMatchObject({ status: 'purged', zoneRequests: 6 });

    const captured = await capturedZonePurges(z);
    expect(captured.map((c) => c.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(captured.every((c) => c.authorization === 'Bearer cf-test-token')).toBe(true);
    const hostPrefixes = [...prefixes.map((p) => `edge.test${p}`), `edge.test/v1/${u}/`];
    expect(captured.map((c) => c.body)).toEqual([
      { files: urls },
      { tags: tags.slice(0, 100) },
      { tags: tags.slice(100, 200) },
      { tags: tags.slice(200) },
      { prefixes: hostPrefixes.slice(0, ZONE_PURGE_BATCH.prefixes) },
      { prefixes: hostPrefixes.slice(ZONE_PURGE_BATCH.prefixes) },
    ]);
    expect(ZONE_PURGE_BATCH).toEqual({ files: 100, tags: 100, prefixes: 30 });
  });

  it('purges everything with one request, whatever else the message names', async () => {
    const z = zone('ok');
    const id = freshId();
    const result = await deliver(id, { id, everything: true, tags: ['a', 'b'], tenants: [freshTenant()] }, { bindings: zoneBindings(z) });
    expect(result.json()).toMatchObject({ status: 'purged', zoneRequests: 1, everything: true });
    expect((await capturedZonePurges(z)).map((c) => c.body)).toEqual([{ purge_everything: true }]);
  });

  it('retries a 429 and succeeds', async () => {
    const z = zone('flaky');
    const id = freshId();
    const result = await deliver(id, { id, tags: ['flaky-tag'] }, { bindings: zoneBindings(z) });
    expect(result.json()).toMatchObject({ status: 'purged', zoneRequests: 1 });
    const captured = await capturedZonePurges(z);
    expect(captured.map((c) => c.status)).toEqual([429, 200]);
    expect(captured[1]!.body).toEqual(captured[0]!.body);
  });

  it('answers 503 after bounded retries of 5xx, and the redelivery purges again instead of being a duplicate', async () => {
    const [down, up] = [zone('down'), zone('ok')];
    const id = freshId();
    const message = { id, tags: ['zone-down-tag'] };
    const failed = await deliver(id, message, { bindings: zoneBindings(down) });
    expect(failed.response.status).toBe(503);
    expect(failed.json().error.code).toBe('purge_unavailable');
    expect((await capturedZonePurges(down)).map((c) => c.status)).toEqual(Array(ZONE_PURGE_MAX_ATTEMPTS).fill(500));

    const redelivered = await deliver(id, message, { bindings: zoneBindings(up) });
    expect(redelivered.json()).toMatchObject({ status: 'purged', id, zoneRequests: 1 });
  });

  it('does not retry a refusal such as a bad token (403)', async () => {
    const z = zone('denied');
    const id = freshId();
    const result = await deliver(id, { id, tags: ['denied-tag'] }, { bindings: zoneBindings(z) });
    expect(result.response.status).toBe(503);
    expect((await capturedZonePurges(z)).map((c) => c.status)).toEqual([403]);
  });

  it('calls no zone API without both CF_ZONE_ID and CF_API_TOKEN', async () => {
    const z = zone('ok');
    const id = freshId();
    const result = await deliver(id, { id, tags: ['no-zone'] }, { bindings: { ...zoneBindings(z), CF_API_TOKEN: undefined } });
    expect(result.json()).toMatchObject({ status: 'purged', zoneRequests: 0 });
    expect(await capturedZonePurges(z)).toEqual([]);
  });
});

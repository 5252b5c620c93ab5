/**
 * Each edge test file reads purge versions and rate limits in an Upstash namespace of its own
 * (`upstash-namespace.ts`), so a purge of everything in one file cannot turn another file's hits
 * into misses: bumped here, the global version is unchanged in the shared namespace and in any
 * other, and a version set elsewhere is not read here.
 */
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, inject, it } from 'vitest';
import { GLOBAL_VERSION_KEY } from '../../edge/purge/keys.ts';
import { deliver, freshId, storedValues } from './purge-support.ts';
import { FILE_NAMESPACE } from './upstash-namespace.ts';

const client = (url: string) => new Redis({ url, token: inject('upstashToken'), enableAutoPipelining: false, enableTelemetry: false });
const namespaceUrl = (ns: string) => `${inject('fakeOriginUrl')}/_fake/upstash-ns/${ns}`;

describe('Upstash namespaces of edge test files', () => {
  it('keep a purge of everything to the file that made it', async () => {
    const elsewhere = client(namespaceUrl(`other${crypto.randomUUID().slice(0, 8)}`));
    const shared = client(inject('upstashUrl'));
    const [sharedBefore, otherBefore] = [await shared.get(GLOBAL_VERSION_KEY), await elsewhere.get(GLOBAL_VERSION_KEY)];

    const id = freshId();
    expect((await deliver(id, { id, everything: true })).json()).toMatchObject({ status: 'purged', everything: true });
    const [mine] = await storedValues([GLOBAL_VERSION_KEY]);
    expect(mine).toMatch(/^v/);

    expect(await shared.get(GLOBAL_VERSION_KEY)).toEqual(sharedBefore);
    expect(await elsewhere.get(GLOBAL_VERSION_KEY)).toEqual(otherBefore);
    await elsewhere.set(GLOBAL_VERSION_KEY, 'v-set-elsewhere');
    expect(await storedValues([GLOBAL_VERSION_KEY])).toEqual([mine]);
    expect(FILE_NAMESPACE).toMatch(/^[0-9a-f]{16}$/);
  });
});

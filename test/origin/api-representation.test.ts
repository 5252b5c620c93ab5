/**
 * Cached API responses are stored as sent (`origin/http/representation.ts`): a hit writes the
 * stored body with the stored ETag and media type, without serialising or hashing anything.
 * The proof: an entry planted with a body and an ETag that no serialisation or hash of the
 * data would give is what the route answers, and what `If-None-Match` is compared with.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonRepresentation, type Representation } from '../../origin/http/representation.ts';
import { allProjectsKey } from '../../origin/projects/commands.ts';
import { projectListKey } from '../../origin/projects/service.ts';
import { tenantWithMembers, type Member } from './members.ts';
import { cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

describe('cached API responses as representations', () => {
  let origin: TestOrigin;
  // A tenant per test, with a public project: the harness's Redis is shared with other files.
  let tenant: string;
  let member: Member;

  beforeAll(async () => {
    origin = await startTestOrigin('pglite', cacheConfig('redis'));
  });
  afterAll(async () => {
    await origin.close();
  });
  beforeEach(async () => {
    const made = await tenantWithMembers(origin, [[]]);
    tenant = made.tenant;
    member = made.members[0]!;
    const created = await origin.app.request(`/v1/${tenant}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Shown', visibility: 'public' }),
    });
    expect(created.status).toBe(201);
  });

  const plant = async (key: string, representation: Representation, into = tenant) =>
    origin.services.engine.set({ key, tenant: into, policy: origin.services.policies.api, tags: ['projects'] }, representation);

  it('stores what a miss sent, and a hit sends the same bytes, ETag and media type', async () => {
    const first = await origin.app.request(`/v1/${tenant}/public/projects`);
    expect(first.headers.get('cache-status')).toBe('strata-origin; fwd=miss');
    const body = await first.text();
    const stored = await origin.services.engine.getOrLoad({
      key: await projectListKey(tenant),
      tenant,
      policy: origin.services.policies.api,
      tags: ['projects'],
      load: () => Promise.reject(new Error('expected the entry the miss stored')),
    });
    expect(stored.value).toEqual({ type: 'application/json', etag: first.headers.get('etag'), body });
    expect(jsonRepresentation(JSON.parse(body))).toEqual(stored.value);
  });

  it('answers a hit with the stored body and ETag as they are', async () => {
    // Neither is what serialising or hashing the data would give: only the stored copy says so.
    const planted = { type: 'application/json', etag: '"planted-etag"', body: '{"data": [ ]}' };
    await plant(await projectListKey(tenant), planted);
    const hit = await origin.app.request(`/v1/${tenant}/public/projects`);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('cache-status')).toBe('strata-origin; hit');
    expect(hit.headers.get('etag')).toBe('"planted-etag"');
    expect(hit.headers.get('content-type')).toBe('application/json');
    expect(await hit.text()).toBe('{"data": [ ]}');
    expect(await (await origin.app.request(`/v1/${tenant}/public/projects`)).text()).toBe('{"data": [ ]}');

    const revalidated = await origin.app.request(`/v1/${tenant}/public/projects`, { headers: { 'if-none-match': '"planted-etag"' } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe('"planted-etag"');
    expect(await revalidated.text()).toBe('');
  });

  it('answers the members’ list from its stored body, with no validator and no shared caching', async () => {
    const planted = { type: 'application/json', etag: '"unused"', body: '{"data":[],"planted":true}' };
    await plant(await allProjectsKey(tenant), planted);
    const response = await origin.app.request(`/v1/${tenant}/projects`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-status')).toBe('strata-origin; hit');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('etag')).toBeNull();
    expect(await response.text()).toBe('{"data":[],"planted":true}');
  });

  it('keeps tenants apart: one tenant’s stored list is never another’s answer', async () => {
    const other = (await tenantWithMembers(origin, [])).tenant;
    await plant(await projectListKey(other), { type: 'application/json', etag: '"other-only"', body: '{"data":[]}' }, other);
    const own = await origin.app.request(`/v1/${tenant}/public/projects`);
    expect(own.headers.get('etag')).not.toBe('"other-only"');
    expect(((await own.json()) as { data: { name: string }[] }).data.map((p) => p.name)).toEqual(['Shown']);
  });

  it('drops the stored representation when the data changes', async () => {
    const before = await (await origin.app.request(`/v1/${tenant}/public/projects`)).text();
    const created = await origin.app.request(`/v1/${tenant}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Also shown', visibility: 'public' }),
    });
    expect(created.status).toBe(201);
    const after = await origin.app.request(`/v1/${tenant}/public/projects`);
    expect(after.headers.get('cache-status')).toBe('strata-origin; fwd=miss');
    const body = await after.text();
    expect(body).not.toBe(before);
    expect((JSON.parse(body) as { data: { name: string }[] }).data.map((p) => p.name).sort()).toEqual(['Also shown', 'Shown']);
    expect(after.headers.get('etag')).toBe(jsonRepresentation(JSON.parse(body)).etag);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_TAGS_HEADER } from '../../common/cache-tags.ts';
import { ProjectCommands } from '../../origin/projects/commands.ts';
import type { Database } from '../../origin/db/index.ts';
import { acme, hank, send, signIn } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';
import { freshTenant, purgesOf, writeState } from './project-fixture.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));
type Project = { id: string; name: string; description: string; visibility: string };

describe.each(combos)('project routes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let t: Awaited<ReturnType<typeof freshTenant>>;

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    t = await freshTenant(origin);
  });
  afterAll(async () => {
    await origin.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await t.call('POST', '/v1/{t}/projects', body);
    expect(response.status).toBe(201);
    return (await response.json()) as Project;
  };
  /** Every cached read of `id`: the four routes' bodies, or their statuses when not 200. */
  const readEverywhere = async (id: string) => {
    const [pubList, pubOne, list, one] = await Promise.all(
      ['/v1/{t}/public/projects', `/v1/{t}/public/projects/${id}`, '/v1/{t}/projects', `/v1/{t}/projects/${id}`].map((path) =>
        path.includes('/public/') ? send(origin, 'GET', path.replace('{t}', t.tenant)) : t.call('GET', path),
      ),
    );
    const names = async (r: Response) =>
      r.status === 200 ? ((await r.json()) as { data: Project[] }).data.filter((p) => p.id === id).map((p) => p.name) : r.status;
    const name = async (r: Response) => (r.status === 200 ? ((await r.json()) as Project).name : r.status);
    return { publicList: await names(pubList!), publicOne: await name(pubOne!), list: await names(list!), one: await name(one!) };
  };

  describe('happy', () => {
    it('creates, reads, changes and deletes a project; every cached route shows each change at once', async () => {
      const created = await t.call('POST', '/v1/{t}/projects', { name: 'Orbit', description: 'v1', visibility: 'public' });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('private, no-store');
      const project = (await created.json()) as Project;
      expect(created.headers.get('location')).toBe(`/v1/${t.tenant}/projects/${project.id}`);
      expect(project).toMatchObject({ name: 'Orbit', description: 'v1', visibility: 'public' });
      expect(await readEverywhere(project.id)).toEqual({ publicList: ['Orbit'], publicOne: 'Orbit', list: ['Orbit'], one: 'Orbit' });
      // Warm now, then each change must show through every route.
      expect(await readEverywhere(project.id)).toEqual({ publicList: ['Orbit'], publicOne: 'Orbit', list: ['Orbit'], one: 'Orbit' });

      const renamed = await t.call('PATCH', `/v1/{t}/projects/${project.id}`, { name: 'Orbit 2' });
      expect(renamed.status).toBe(200);
      expect(renamed.headers.get('cache-control')).toBe('private, no-store');
      expect(await readEverywhere(project.id)).toEqual({ publicList: ['Orbit 2'], publicOne: 'Orbit 2', list: ['Orbit 2'], one: 'Orbit 2' });

      expect((await t.call('PATCH', `/v1/{t}/projects/${project.id}`, { visibility: 'private' })).status).toBe(200);
      expect(await readEverywhere(project.id)).toEqual({ publicList: [], publicOne: 404, list: ['Orbit 2'], one: 'Orbit 2' });

      expect((await t.call('DELETE', `/v1/{t}/projects/${project.id}`)).status).toBe(204);
      expect(await readEverywhere(project.id)).toEqual({ publicList: [], publicOne: 404, list: [], one: 404 });
    });

    it('queues a purge of the public list whenever a project is or was public, not otherwise', async () => {
      const before = (await purgesOf(origin, t.tenant)).length;
      const hidden = await create({ name: 'Hidden' });
      expect(hidden.visibility).toBe('private');
      expect((await t.call('PATCH', `/v1/{t}/projects/${hidden.id}`, { description: 'still private' })).status).toBe(200);
      expect((await t.call('DELETE', `/v1/{t}/projects/${hidden.id}`)).status).toBe(204);
      expect((await purgesOf(origin, t.tenant)).length).toBe(before);

      const shown = await create({ name: 'Shown', visibility: 'public' });
      await t.call('PATCH', `/v1/{t}/projects/${shown.id}`, { visibility: 'private' });
      await t.call('PATCH', `/v1/{t}/projects/${shown.id}`, { description: 'private to private' });
      await t.call('DELETE', `/v1/{t}/projects/${shown.id}`);
      const purges = (await purgesOf(origin, t.tenant)).slice(before);
      expect(purges).toHaveLength(2);
      expect(purges[0]).toEqual({ id: expect.any(String), tags: [`project:${shown.id}`], prefixes: [`/v1/${t.tenant}/public/projects`] });
    });

    it('tags public responses for the edge and keeps them shared-cacheable', async () => {
      const project = await create({ name: 'Tagged', visibility: 'public' });
      const list = await send(origin, 'GET', `/v1/${t.tenant}/public/projects`);
      expect(list.headers.get(CACHE_TAGS_HEADER)).toBe(`tenant:${t.tenant},projects`);
      expect(list.headers.get('cache-control')).toMatch(/^public, .*s-maxage=/);
      const one = await send(origin, 'GET', `/v1/${t.tenant}/public/projects/${project.id}`);
      expect(one.headers.get(CACHE_TAGS_HEADER)).toBe(`tenant:${t.tenant},projects,project:${project.id}`);
    });
  });

  describe('error', () => {
    it.each([
      ['a missing name', { visibility: 'public' }],
      ['an empty name', { name: ' ' }],
      ['a wrong type', { name: 42 }],
      ['an unknown visibility', { name: 'x', visibility: 'secret' }],
      ['an unknown field', { name: 'x', owner: 'someone' }],
      ['malformed JSON', '{"name": '],
      ['a JSON array', '[]'],
    ])('refuses %s with 400 invalid_request and writes nothing', async (_, body) => {
      const before = await writeState(origin, t.tenant);
      const response = await t.call('POST', '/v1/{t}/projects', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
      expect(await writeState(origin, t.tenant)).toEqual(before);
    });

    it('refuses an empty change, a body over the limit, and unknown projects', async () => {
      const project = await create({ name: 'Target', visibility: 'public' });
      const before = await writeState(origin, t.tenant);
      expect((await t.call('PATCH', `/v1/{t}/projects/${project.id}`, {})).status).toBe(400);
      expect((await t.call('POST', '/v1/{t}/projects', { name: 'x', description: 'y'.repeat(20_000) })).status).toBe(413);
      const missing = crypto.randomUUID();
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const response = await t.call(method, `/v1/{t}/projects/${missing}`, method === 'PATCH' ? { name: 'n' } : undefined);
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
      }
      expect(await writeState(origin, t.tenant)).toEqual(before);
    });

    it('writes neither the row nor its purge when the transaction fails after the purge was queued', async () => {
      const project = await create({ name: 'Atomic', visibility: 'public' });
      const before = await writeState(origin, t.tenant);
      const db = origin.services.db;
      // The transaction fails right after the outbox insert: both must roll back.
      const failing: Database = {
        ...db,
        transaction: (work) =>
          db.transaction((tx) =>
            work({
              exec: (sql) => tx.exec(sql),
              query: async (sql, params) => {
                const rows = await tx.query(sql, params);
                if (sql.includes('INSERT INTO purge_outbox')) throw new Error('commit refused');
                return rows as never;
              },
            }),
          ),
      };
      const commands = new ProjectCommands(failing, origin.services.engine, origin.services.policies, { kick: () => {} });
      await expect(commands.update(t.tenant, project.id, { name: 'Changed' })).rejects.toThrow('commit refused');
      await expect(commands.create(t.tenant, { name: 'New', description: '', visibility: 'public' })).rejects.toThrow('commit refused');
      expect(await writeState(origin, t.tenant)).toEqual(before);
      expect(await readEverywhere(project.id)).toMatchObject({ one: 'Atomic', publicOne: 'Atomic' });
    });
  });

  describe('security', () => {
    it('needs a session of the path’s tenant for every CRUD route', async () => {
      const project = await create({ name: 'Guarded', visibility: 'private' });
      const hankToken = await signIn(origin, 'globex', hank.email);
      const before = await writeState(origin, t.tenant);
      const routes: [string, string, unknown?][] = [
        ['GET', '/v1/{t}/projects'],
        ['POST', '/v1/{t}/projects', { name: 'x' }],
        ['GET', `/v1/{t}/projects/${project.id}`],
        ['PATCH', `/v1/{t}/projects/${project.id}`, { name: 'x' }],
        ['DELETE', `/v1/{t}/projects/${project.id}`],
      ];
      for (const [method, path, body] of routes) {
        for (const token of [undefined, hankToken, 'A'.repeat(64)]) {
          const response = await send(origin, method, path.replace('{t}', t.tenant), { ...(token ? { token } : {}), ...(body ? { body } : {}) });
          expect(response.status, `${method} ${path} with ${token ? 'a foreign token' : 'no token'}`).toBe(401);
          expect(response.headers.get('cache-control')).toContain('no-store');
        }
      }
      expect(await writeState(origin, t.tenant)).toEqual(before);
    });

    it('keeps other tenants’ projects out of reach and refuses malformed ids', async () => {
      const acmeProject = acme.projects[0]!;
      expect((await t.call('GET', `/v1/{t}/projects/${acmeProject.id}`)).status).toBe(404);
      expect((await t.call('PATCH', `/v1/{t}/projects/${acmeProject.id}`, { name: 'hijack' })).status).toBe(404);
      for (const id of ['a:b', '*', '%7Bx%7D', '..%2Fx', 'ABCDEF00-0000-4000-8000-000000000001']) {
        const response = await t.call('GET', `/v1/{t}/projects/${id}`);
        expect(response.status, id).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_id');
      }
    });

    it('never lets the public routes show a private project', async () => {
      const project = await create({ name: 'Secret', visibility: 'private' });
      expect((await send(origin, 'GET', `/v1/${t.tenant}/public/projects/${project.id}`)).status).toBe(404);
      const list = (await (await send(origin, 'GET', `/v1/${t.tenant}/public/projects`)).json()) as { data: Project[] };
      expect(list.data.some((p) => p.id === project.id)).toBe(false);
    });
  });
});

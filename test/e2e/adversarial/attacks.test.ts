/**
 * The attacks of docs/security-testing.md against the running stack (edge in workerd → a
 * recording proxy → the origin's Node server → the 6-node Redis cluster → PGlite, purge
 * versions in the local Upstash endpoint). Each `describe` is one family of the table there;
 * each test names the attack it tries and asserts the defence held: what the attacker got,
 * what reached the origin, what was stored, and what a victim gets afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURGE_MAX_BODY_BYTES, PURGE_WINDOW_SECONDS, signedPurgeHeaders } from '../../../common/purge.ts';
import { startWorld, type RawResponse, type Tenant, type World } from './world.ts';

let world: World;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  world = await startWorld('adv');
  [a, b] = world.tenants;
});
afterAll(async () => {
  await world?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { 'content-type': 'application/json' };
const edgeStatus = (r: RawResponse) => /strata-edge;[^,]*$/.exec(String(r.headers['cache-status'] ?? ''))?.[0] ?? '';
const errorCode = (r: RawResponse) => (JSON.parse(r.body) as { error: { code: string } }).error.code;
/** Everything of `t` that only its members may read (ids are not secret: they are in the URLs). */
const privateOf = (t: Tenant) => [t.secret, t.adminEmail, t.memberEmail];
const leaks = (r: RawResponse, t: Tenant) => privateOf(t).filter((value) => r.body.includes(value) || JSON.stringify(r.headers).includes(value));

/** A public project of `t` nobody has read yet: a cache key that is empty at every layer. */
async function freshPublicProject(t: Tenant, name = `Fresh ${crypto.randomUUID()}`): Promise<{ path: string; name: string }> {
  const id = crypto.randomUUID();
  await world.stack.services.db.query("INSERT INTO projects (id, tenant_id, owner_id, name, description, visibility) VALUES ($1, $2, $3, $4, '', 'public')", [
    id,
    t.id,
    t.adminId,
    name,
  ]);
  return { path: `/v1/${t.id}/public/projects/${id}`, name };
}

/** Reads `path` at the edge until a read is a hit; the hit. */
async function stored(path: string): Promise<RawResponse> {
  for (let i = 0; i < 3; i++) {
    const r = await world.edge(path);
    if (edgeStatus(r).includes('hit')) return r;
  }
  throw new Error(`${path} is not stored at the edge`);
}

const originRequestsFor = (path: string) => world.received.filter((r) => r.url.split('?')[0] === path);

describe('cache poisoning through unkeyed inputs', () => {
  const unkeyed: [string, (t: Tenant) => string][] = [
    ['x-forwarded-host', () => 'evil.example'],
    ['x-forwarded-server', () => 'evil.example'],
    ['x-forwarded-scheme', () => 'nothttps'],
    ['x-forwarded-proto', () => 'http'],
    ['x-forwarded-port', () => '1337'],
    ['x-forwarded-prefix', () => '/evil'],
    ['x-host', () => 'evil.example'],
    ['x-original-host', () => 'evil.example'],
    ['x-original-url', (t) => `/v1/${t.id}/projects/${t.privateProjectId}`],
    ['x-rewrite-url', (t) => `/v1/${t.id}/projects/${t.privateProjectId}`],
    ['x-http-method-override', () => 'DELETE'],
    ['x-http-method', () => 'PURGE'],
    ['x-method-override', () => 'PATCH'],
    ['forwarded', () => 'for=6.6.6.6;host=evil.example;proto=http'],
    ['x-strata-edge-token', () => 'forged'],
    ['x-strata-cache-version', () => 'forged'],
    ['x-strata-client-ip', () => '6.6.6.6'],
    ['cache-control', () => 'max-age=0'],
    ['pragma', () => 'no-cache'],
  ];

  it.each(unkeyed)('%s never reaches the origin and the stored response is the clean one', async (name, value) => {
    const { path, name: project } = await freshPublicProject(a);
    world.forget();
    const poisoned = await world.edge(path, { headers: { [name]: value(a) } });
    expect(poisoned.status).toBe(200);
    expect(JSON.parse(poisoned.body)).toMatchObject({ name: project });
    for (const seen of originRequestsFor(path)) {
      expect(seen.method).toBe('GET');
      if (name.startsWith('x-strata-')) expect(seen.headers[name]).not.toBe(value(a));
      else expect(seen.headers[name]).toBeUndefined();
    }
    const victim = await stored(path);
    expect(victim.body).toBe(poisoned.body);
    expect(JSON.parse(victim.body)).toMatchObject({ name: project });
    expect(victim.body).not.toContain('evil');
    // A method override that reached anyone would have deleted or changed the project.
    expect(JSON.parse((await world.origin(path)).body)).toMatchObject({ name: project });
  });

  it('a forged Host header is not what the origin sees, and the victim gets the clean response', async () => {
    const { path, name: project } = await freshPublicProject(a);
    world.forget();
    const poisoned = await world.edge(path, { headers: { host: 'evil.example' } });
    expect(poisoned.status).toBeLessThan(500);
    for (const seen of world.received) expect(seen.headers.host).not.toContain('evil');
    const victim = await stored(path);
    expect(JSON.parse(victim.body)).toMatchObject({ name: project });
    expect(victim.body).not.toContain('evil');
  });

  it('unkeyed query parameters are dropped before the key and before the origin', async () => {
    const { path } = await freshPublicProject(a);
    world.forget();
    const poisoned = await world.edge(`${path}?callback=evil&utm_source=x&__strata_vary=00&limit=1`);
    expect(poisoned.status).toBe(200);
    expect(originRequestsFor(path).map((r) => r.url)).toEqual([path]);
    // The victim's plain URL is the same entry, already stored, with the same bytes.
    const victim = await world.edge(path);
    expect(edgeStatus(victim)).toMatch(/hit/);
    expect(victim.body).toBe(poisoned.body);
  });

  it('a keyed parameter is forwarded alone and as the key has it', async () => {
    world.forget();
    const r = await world.edge(`/v1/${a.id}/users?limit=1&callback=evil&cursor=`, { headers: bearer(a.memberToken) });
    expect(r.status).toBeLessThan(500);
    const seen = originRequestsFor(`/v1/${a.id}/users`).map((x) => x.url);
    expect(seen.length).toBe(1);
    expect(seen[0]).not.toContain('callback');
  });
});

describe('cache deception through path confusion', () => {
  // Paths a victim is lured into loading with their credentials, hoping the edge stores the
  // private answer under a URL the attacker can then read without any.
  const lures = (t: Tenant) => [
    `/v1/${t.id}/me/x.css`,
    `/v1/${t.id}/me.css`,
    `/v1/${t.id}/me;x.css`,
    `/v1/${t.id}/me%3Bx.css`,
    `/v1/${t.id}/me%2Fx.css`,
    `/v1/${t.id}/me%00.css`,
    `/v1/${t.id}/me/`,
    `/v1/${t.id}//me`,
    `/v1/${t.id}/me?x.css`,
    `/v1/${t.id}/ME`,
    `/v1/${t.id}/me`,
    `/v1/${t.id}/public/../me`,
    `/v1/${t.id}/public/%2e%2e/me`,
    `/v1/${t.id}/public/..%2Fme`,
    `/v1/${t.id}/public/projects/../../me`,
    `/v1/${t.id}/public/projects/%2E%2E/%2E%2E/me`,
    `/v1/${t.id}/public/projects/1/x.css`,
    `/v1/${t.id}/public/projects/${t.privateProjectId}`,
    `/v1/${t.id}/public/projects/${t.privateProjectId}/x.css`,
    `/v1/${t.id}/public/projects/${t.privateProjectId}%2Fx.css`,
    `/v1/${t.id}/projects/${t.privateProjectId}`,
    `/v1/${t.id}/projects/${t.privateProjectId}/x.css`,
    `/v1/${t.id}/projects/${t.privateProjectId};x.css`,
    `/v1/${t.id}/projects`,
    `/v1/${t.id}/users`,
    `/v1/${t.id}/users?limit=1`,
    `/v1/${t.id}/users/${t.memberId}`,
    `/v1/${t.id}/users/${t.memberId}/x.css`,
    `/v1/${t.id}/config/app_settings`,
    `/v1/${t.id}/config/app_settings/x.css`,
    `/v1/${t.id}/sessions/current`,
    `/v1/${t.id}/sessions/current.js`,
  ];

  it('no lure makes the edge serve a member’s private answer to anyone else', async () => {
    for (const path of lures(a)) {
      const victim = await world.edge(path, { headers: bearer(a.memberToken) });
      expect(victim.status, path).toBeLessThan(500);
      if (leaks(victim, a).length > 0) {
        expect(String(victim.headers['cache-control']), path).toMatch(/private|no-store/);
        expect(edgeStatus(victim), path).not.toMatch(/stored|hit/);
      }
      for (const attacker of [await world.edge(path), await world.edge(path), await world.edge(path, { headers: bearer(b.memberToken) })]) {
        expect(attacker.status, path).toBeLessThan(500);
        expect(leaks(attacker, a), path).toEqual([]);
      }
    }
  });
});

describe('cross-tenant reads and writes', () => {
  it('a session of one tenant is worth nothing at another tenant, at the edge and at the origin', async () => {
    const paths = [
      `/v1/${b.id}/me`,
      `/v1/${b.id}/users`,
      `/v1/${b.id}/users/${b.memberId}`,
      `/v1/${b.id}/projects`,
      `/v1/${b.id}/projects/${b.privateProjectId}`,
      `/v1/${b.id}/config/app_settings`,
      `/v1/${b.id}/sessions/current`,
    ];
    for (const send of [world.edge, world.origin]) {
      for (const path of paths) {
        for (const token of [a.adminToken, a.memberToken]) {
          const r = await send(path, { headers: bearer(token) });
          expect(r.status, path).toBe(401);
          expect(errorCode(r)).toBe('unauthorized');
          expect(leaks(r, b), path).toEqual([]);
        }
      }
      const writes: [string, string, unknown][] = [
        ['PATCH', `/v1/${b.id}/projects/${b.privateProjectId}`, { name: 'pwned' }],
        ['DELETE', `/v1/${b.id}/projects/${b.privateProjectId}`, undefined],
        ['POST', `/v1/${b.id}/projects`, { name: 'planted', visibility: 'public' }],
        ['PUT', `/v1/${b.id}/config/limits`, { api_calls_per_hour: 1 }],
        ['PATCH', `/v1/${b.id}/users/${b.memberId}`, { roles: ['admin'] }],
        ['POST', `/v1/${b.id}/users/${b.adminId}/password`, { currentPassword: 'x', newPassword: 'pwned-pwned-pwned' }],
        ['DELETE', `/v1/${b.id}/sessions/current`, undefined],
      ];
      for (const [method, path, body] of writes) {
        const r = await send(path, { method, headers: { ...bearer(a.adminToken), ...json }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        expect(r.status, `${method} ${path}`).toBe(401);
      }
    }
    // B is as it was, and B's own sessions still work.
    const own = await world.origin(`/v1/${b.id}/projects/${b.privateProjectId}`, { headers: bearer(b.adminToken) });
    expect(JSON.parse(own.body)).toMatchObject({ name: `Plans ${b.secret}` });
    const limits = await world.origin(`/v1/${b.id}/config/limits`);
    expect(limits.body).not.toContain('"api_calls_per_hour":1,');
    const member = await world.origin(`/v1/${b.id}/users/${b.memberId}`, { headers: bearer(b.memberToken) });
    expect(JSON.parse(member.body)).toMatchObject({ roles: [] });
  });

  it("another tenant's ids under one's own tenant find nothing and change nothing", async () => {
    for (const send of [world.edge, world.origin]) {
      const reads = [
        `/v1/${a.id}/projects/${b.privateProjectId}`,
        `/v1/${a.id}/projects/${b.publicProjectId}`,
        `/v1/${a.id}/users/${b.adminId}`,
        `/v1/${a.id}/public/projects/${b.publicProjectId}`,
        `/v1/${a.id}/public/projects/${b.privateProjectId}`,
      ];
      for (const path of reads) {
        const r = await send(path, { headers: bearer(a.adminToken) });
        expect(r.status, path).toBe(404);
        expect(leaks(r, b), path).toEqual([]);
        expect(r.body).not.toContain(`Open ${b.id}`);
      }
      const writes: [string, string, unknown][] = [
        ['PATCH', `/v1/${a.id}/projects/${b.privateProjectId}`, { name: 'pwned', visibility: 'public' }],
        ['DELETE', `/v1/${a.id}/projects/${b.publicProjectId}`, undefined],
        ['PATCH', `/v1/${a.id}/users/${b.memberId}`, { roles: ['admin'] }],
      ];
      for (const [method, path, body] of writes) {
        const r = await send(path, { method, headers: { ...bearer(a.adminToken), ...json }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        expect(r.status, `${method} ${path}`).toBe(404);
      }
    }
    const own = await world.origin(`/v1/${b.id}/projects/${b.privateProjectId}`, { headers: bearer(b.adminToken) });
    expect(JSON.parse(own.body)).toMatchObject({ name: `Plans ${b.secret}`, visibility: 'private' });
    expect((await world.origin(`/v1/${b.id}/public/projects/${b.publicProjectId}`)).status).toBe(200);
  });

  it('public entries of two tenants never meet, whatever the order and spelling', async () => {
    for (let round = 0; round < 2; round++) {
      for (const [t, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const list = await world.edge(`/v1/${t.id}/public/projects`);
        const ids = (JSON.parse(list.body) as { data: { id: string }[] }).data.map((p) => p.id);
        expect(ids).toContain(t.publicProjectId);
        expect(ids).not.toContain(other.publicProjectId);
        expect(leaks(list, t)).toEqual([]);
      }
    }
    // Spellings that might fold two tenants, or a tenant and a path, into one key.
    for (const path of [
      `/v1/${a.id.toUpperCase()}/public/projects`,
      `/v1/${a.id}%2Fpublic/projects`,
      `/v1/${a.id}%20/public/projects`,
      `/v1/${a.id}:${b.id}/public/projects`,
      `/v1/{${a.id}}/public/projects`,
      `/v1/${a.id}/public/projects/${b.publicProjectId.toUpperCase()}`,
    ]) {
      const r = await world.edge(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.body, path).not.toContain(`Open ${b.id}`);
      expect(r.body, path).not.toContain(`Open ${a.id}`);
    }
  });

  it('a sign-in names the tenant it signs in to: another tenant’s user cannot', async () => {
    const r = await world.origin(`/v1/${a.id}/sessions`, {
      method: 'POST',
      headers: { ...json, 'x-strata-client-ip': '198.51.100.7' },
      body: JSON.stringify({ email: b.adminEmail, password: 'correct horse battery staple' }),
    });
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('token');
  });
});

describe('Redis key injection through ids', () => {
  it('ids built to address other keys are refused before any key is built, everywhere', async () => {
    const m = `inj${crypto.randomUUID().slice(0, 8)}`;
    const ids = [
      `${m}:*`,
      `${m}%3A*`,
      `${m}{x}`,
      `%7B${m}%7D`,
      `${m}%0A`,
      `${m}%0D%0AFLUSHALL`,
      `*${m}*`,
      `${m}%00`,
      `${crypto.randomUUID()}:${m}`,
      `${crypto.randomUUID()}%3A${m}`,
      `${m}${'x'.repeat(4000)}`,
      `..%2F${m}`,
    ];
    const tenants = [`${m}:*`, `%7B${m}%7D`, `${m}%0A`, `${m}*`, `${m}${'a'.repeat(100)}`, `${m.toUpperCase()}`];
    const paths = [
      ...ids.flatMap((id) => [`/v1/${a.id}/public/projects/${id}`, `/v1/${a.id}/projects/${id}`, `/v1/${a.id}/users/${id}`, `/v1/${a.id}/config/${id}`]),
      ...tenants.flatMap((t) => [`/v1/${t}/public/projects`, `/v1/${t}/me`, `/v1/${t}/config/limits`]),
    ];
    for (const send of [world.edge, world.origin]) {
      for (const path of paths) {
        const r = await send(path, { headers: bearer(a.adminToken) });
        expect(r.status, path).toBeGreaterThanOrEqual(400);
        expect(r.status, path).toBeLessThan(500);
      }
      for (const id of ids) {
        const r = await send(`/v1/${a.id}/projects/${id}`, { method: 'PATCH', headers: { ...bearer(a.adminToken), ...json }, body: '{"name":"x"}' });
        expect(r.status, id).toBeGreaterThanOrEqual(400);
        expect(r.status, id).toBeLessThan(500);
      }
      // Free-form strings that do reach the stores: e-mails (login limits), tokens (sessions),
      // document fields (config). They must arrive hashed or as values, never as key text.
      for (const email of [`${m}:*@x.test`, `{${m}}@x.test`, `${m}\r\nFLUSHALL@x.test`]) {
        const r = await send(`/v1/${a.id}/sessions`, {
          method: 'POST',
          headers: { ...json, 'x-strata-client-ip': '198.51.100.8' },
          body: JSON.stringify({ email, password: 'wrong' }),
        });
        expect(r.status, email).toBe(401);
      }
      for (const token of [`${m}:*`, `${m}{x}`, `${m}`.repeat(20)]) {
        const r = await send(`/v1/${a.id}/me`, { headers: bearer(token) });
        expect(r.status, token).toBe(401);
      }
      const r = await send(`/v1/${a.id}/config/app_settings`, {
        method: 'PUT',
        headers: { ...bearer(a.adminToken), ...json },
        body: JSON.stringify({ [`${m}:*`]: `{${m}}`, banner: `settings ${a.secret}` }),
      });
      expect(r.status).toBe(200);
    }
    expect(await world.originKeys(`*${m}*`)).toEqual([]);
    expect(await world.upstashKeys(`*${m}*`)).toEqual([]);
    // The one legitimate write above is stored as a value under the tenant's own key.
    expect((await world.originKeys(`*{${a.id}}*`)).every((key) => /^[a-z]+:(?:[a-z0-9]+:)?\{[a-z0-9-]+\}(?::[A-Za-z0-9_-]+)*$/.test(key))).toBe(true);
  });
});

describe('forged, replayed and oversized purges', () => {
  const purge = (body: string, headers: Record<string, string>) => world.edge('/_strata/purge', { method: 'POST', headers: { ...json, ...headers }, body });
  const signed = async (message: object, options: { secret?: string; timestamp?: number; id?: string } = {}) => {
    const body = JSON.stringify(message);
    const id = options.id ?? (message as { id: string }).id;
    return { body, headers: await signedPurgeHeaders(options.secret ?? world.purgeSecret, id, body, options.timestamp) };
  };
  const newId = () => `adv-${crypto.randomUUID()}`;

  it('refuses every forgery and purges nothing', async () => {
    // Ids of this test's own: the other tests here land real purges under `adv-…`.
    const forgedId = () => `adv-forged-${crypto.randomUUID()}`;
    const { path } = await freshPublicProject(a);
    await stored(path);
    // Read when each case is made: the cases before take seconds, and a clock read once at the
    // start would bring a "future" timestamp back inside the window by the time it is sent.
    const now = () => Math.floor(Date.now() / 1000);
    const outside = PURGE_WINDOW_SECONDS + 60;
    const forged: [string, () => Promise<{ body: string; headers: Record<string, string> }>, number][] = [
      ['no signature', async () => ({ body: JSON.stringify({ id: forgedId(), everything: true }), headers: {} }), 401],
      ['another key', () => signed({ id: forgedId(), everything: true }, { secret: 'guessed' }), 401],
      ['a key one character off', () => signed({ id: forgedId(), everything: true }, { secret: `${world.purgeSecret.slice(0, -1)}_` }), 401],
      [
        'a signature of another body',
        async () => {
          const good = await signed({ id: 'same', tenants: [a.id] });
          return { body: JSON.stringify({ id: 'same', everything: true }), headers: good.headers };
        },
        401,
      ],
      [
        'the id header swapped',
        async () => {
          const good = await signed({ id: 'first', everything: true });
          return { body: good.body, headers: { ...good.headers, 'x-strata-purge-id': 'second' } };
        },
        401,
      ],
      [
        'the timestamp moved',
        async () => {
          const good = await signed({ id: forgedId(), everything: true });
          return { body: good.body, headers: { ...good.headers, 'x-strata-purge-timestamp': String(Number(good.headers['x-strata-purge-timestamp']) + 1) } };
        },
        401,
      ],
      [
        'a signature in upper case hex',
        async () => {
          const good = await signed({ id: forgedId(), everything: true });
          return { body: good.body, headers: { ...good.headers, 'x-strata-purge-signature': good.headers['x-strata-purge-signature']!.toUpperCase() } };
        },
        401,
      ],
      [
        'five signatures to try',
        async () => {
          const good = await signed({ id: forgedId(), everything: true });
          const sig = good.headers['x-strata-purge-signature']!;
          return { body: good.body, headers: { ...good.headers, 'x-strata-purge-signature': [sig, sig, sig, sig, sig].join(',') } };
        },
        401,
      ],
      ['an old timestamp (replay after the window)', () => signed({ id: forgedId(), everything: true }, { timestamp: now() - outside }), 401],
      ['a timestamp in the future', () => signed({ id: forgedId(), everything: true }, { timestamp: now() + outside }), 401],
      [
        'a body id that differs from the signed header id',
        async () => {
          const body = JSON.stringify({ id: 'other-id', everything: true });
          return { body, headers: await signedPurgeHeaders(world.purgeSecret, 'header-id', body) };
        },
        400,
      ],
      [
        'a signed body that is not JSON',
        async () => {
          const id = forgedId();
          return { body: '{"id":', headers: await signedPurgeHeaders(world.purgeSecret, id, '{"id":') };
        },
        400,
      ],
      ['a signed glob prefix', () => signed({ id: forgedId(), prefixes: [`/v1/${a.id}/*`] }), 400],
      ['a signed tenant that is not a slug', () => signed({ id: forgedId(), tenants: [`${a.id}:*`] }), 400],
      ['a signed list over its limit', () => signed({ id: forgedId(), tags: Array.from({ length: 501 }, (_, i) => `t${i}`) }), 400],
      ['a signed unknown field', () => signed({ id: forgedId(), everything: false, tenants: [a.id], eval: 'FLUSHALL' }), 400],
    ];
    for (const [what, make, status] of forged) {
      const { body, headers } = await make();
      const r = await purge(body, headers);
      expect(r.status, what).toBe(status);
      expect(errorCode(r), what).toBe(status === 401 ? 'unauthorized' : 'invalid_purge');
      expect((await world.edge(path)).headers['cache-status'], what).toMatch(/strata-edge; hit/);
    }
    expect(await world.upstashKeys('edge:purge:adv-forged-*')).toEqual([]);
  });

  it('a replayed purge (same id, in the window) is acknowledged as a duplicate and purges nothing again', async () => {
    const { path } = await freshPublicProject(a);
    await stored(path);
    const message = await signed({ id: newId(), urls: [`${world.stack.edgeUrl}${path}`], tags: [`project:${path.split('/').at(-1)}`] });
    const first = await purge(message.body, message.headers);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ status: 'purged' });
    expect(edgeStatus(await world.edge(path))).toMatch(/fwd=miss/);
    await stored(path);
    // The captured request sent again as it was, then its id with a new body signed by the
    // sender's key (a redelivery): both are duplicates, and the entry stays.
    const replay = await purge(message.body, message.headers);
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toMatchObject({ status: 'duplicate' });
    const reused = await signed({ id: JSON.parse(message.body).id, everything: true });
    expect(JSON.parse((await purge(reused.body, reused.headers)).body)).toMatchObject({ status: 'duplicate' });
    expect(edgeStatus(await world.edge(path))).toMatch(/hit/);
  });

  it('refuses oversized purges before reading them, declared or chunked', async () => {
    const { path } = await freshPublicProject(a);
    await stored(path);
    const id = newId();
    const big = JSON.stringify({ id, tags: ['x'], pad: 'p'.repeat(PURGE_MAX_BODY_BYTES) });
    const headers = { ...json, ...(await signedPurgeHeaders(world.purgeSecret, id, big)) };
    for (const chunked of [false, true]) {
      const r = await world.edge('/_strata/purge', { method: 'POST', headers, body: big, chunked });
      expect(r.status, `chunked: ${chunked}`).toBe(413);
      expect(errorCode(r)).toBe('payload_too_large');
    }
    expect(edgeStatus(await world.edge(path))).toMatch(/hit/);
    // Not a way around the handler either.
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect((await world.edge('/_strata/purge', { method })).status, method).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('cache-key flooding', () => {
  const many = async <T>(count: number, make: (i: number) => Promise<T>, width = 8): Promise<T[]> => {
    const out: T[] = [];
    for (let at = 0; at < count; at += width) {
      out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - at) }, (_, i) => make(at + i)))));
    }
    return out;
  };

  it('distinct query strings are one entry: a flood reaches the origin never and the hot entry stays', async () => {
    const hot = `/v1/${a.id}/public/projects`;
    const before = await stored(hot);
    world.forget();
    const answers = await many(300, (i) => world.edge(`${hot}?q=${i}&utm_${i}=${crypto.randomUUID()}`));
    expect(answers.every((r) => r.status === 200 && r.body === before.body)).toBe(true);
    expect(originRequestsFor(hot)).toEqual([]);
    expect(edgeStatus(await world.edge(hot))).toMatch(/hit/);
  });

  it('distinct paths are not stored: unknown ids and routes go to the origin each time and leave no entry', async () => {
    const hot = `/v1/${a.id}/public/projects`;
    await stored(hot);
    const keysBefore = (await world.originKeys(`*{${a.id}}*`)).length;
    const unknownIds = Array.from({ length: 100 }, () => `/v1/${a.id}/public/projects/${crypto.randomUUID()}`);
    const unknownRoutes = Array.from({ length: 100 }, (_, i) => `/v1/${a.id}/flood-${i}-${crypto.randomUUID().slice(0, 8)}`);
    const paths = [...unknownIds, ...unknownRoutes];
    const first = await many(paths.length, (i) => world.edge(paths[i]!));
    expect(first.every((r) => r.status === 404)).toBe(true);
    world.forget();
    // Asked again, every one reaches the origin: none of the 404s took a place in the cache.
    await many(paths.length, (i) => world.edge(paths[i]!));
    expect(new Set(world.received.map((r) => r.url)).size).toBe(paths.length);
    expect(edgeStatus(await world.edge(hot))).toMatch(/hit/);
    // The origin keeps nothing per unknown id or route either.
    expect((await world.originKeys(`*{${a.id}}*`)).length).toBe(keysBefore);
  });

  it('unknown tenants leave nothing behind at the origin or in Upstash', async () => {
    const prefix = `nx-${crypto.randomUUID().slice(0, 8)}`;
    const answers = await many(60, (i) =>
      world.edge(i % 2 === 0 ? `/v1/${prefix}-${i}/public/projects` : `/v1/${prefix}-${i}/public/projects/${crypto.randomUUID()}`),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 404));
    expect(answers.every((r) => errorCode(r) === 'tenant_not_found')).toBe(true);
    expect(await world.originKeys(`*${prefix}*`)).toEqual([]);
    expect(await world.upstashKeys(`*${prefix}*`)).toEqual([]);
  });
});

describe('oversized and malformed inputs', () => {
  const sends = [
    ['edge', () => world.edge],
    ['origin', () => world.origin],
  ] as const;

  it.each(sends)('request bodies through the %s: a clear 4xx and nothing changed', async (_, sendOf) => {
    const send = sendOf();
    const listBefore = (await world.origin(`/v1/${a.id}/projects`, { headers: bearer(a.adminToken) })).body;
    const write = (body: string | Buffer, headers: Record<string, string> = json, chunked = false) =>
      send(`/v1/${a.id}/projects`, { method: 'POST', headers: { ...bearer(a.adminToken), ...headers }, body, chunked });
    const cases: [string, () => Promise<RawResponse>, number, string][] = [
      ['17 KiB of JSON', () => write(JSON.stringify({ name: 'x', description: 'd'.repeat(17 * 1024) })), 413, 'payload_too_large'],
      ['17 KiB chunked', () => write(JSON.stringify({ name: 'x', description: 'd'.repeat(17 * 1024) }), json, true), 413, 'payload_too_large'],
      ['1 MiB chunked', () => write(Buffer.alloc(1024 * 1024, 'a'), json, true), 413, 'payload_too_large'],
      ['truncated JSON', () => write('{"name":'), 400, 'invalid_request'],
      ['JSON that is a string', () => write('"project"'), 400, 'invalid_request'],
      ['JSON null', () => write('null'), 400, 'invalid_request'],
      ['an empty body', () => write(''), 400, 'invalid_request'],
      ['deep nesting', () => write(`${'['.repeat(5000)}${']'.repeat(5000)}`), 400, 'invalid_request'],
      ['invalid UTF-8', () => write(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'invalid_request'],
      ['__proto__ smuggling', () => write('{"name":"x","__proto__":{"visibility":"public"}}'), 400, 'invalid_request'],
      ['an unknown field', () => write(JSON.stringify({ name: 'x', owner_id: b.adminId })), 400, 'invalid_request'],
      ['a wrong type', () => write(JSON.stringify({ name: 42 })), 400, 'invalid_request'],
      ['a name of 201 characters', () => write(JSON.stringify({ name: 'n'.repeat(201) })), 400, 'invalid_request'],
      ['a blank name', () => write(JSON.stringify({ name: ' \t ' })), 400, 'invalid_request'],
      ['a visibility outside the enum', () => write(JSON.stringify({ name: 'x', visibility: 'PUBLIC' })), 400, 'invalid_request'],
      ['text/plain', () => write(JSON.stringify({ name: 'x' }), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ['form data', () => write('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'],
    ];
    for (const [what, run, status, code] of cases) {
      const r = await run();
      expect(r.status, what).toBe(status);
      expect(errorCode(r), what).toBe(code);
      expect((JSON.parse(r.body) as { error: { message: string } }).error.message.length, what).toBeGreaterThan(0);
    }
    const other: [string, string, string, unknown][] = [
      ['limits above the maximum', 'PUT', `/v1/${a.id}/config/limits`, { api_calls_per_hour: 1e12 }],
      ['negative limits', 'PUT', `/v1/${a.id}/config/limits`, { api_calls_per_hour: -1 }],
      ['limits as a string', 'PUT', `/v1/${a.id}/config/limits`, { api_calls_per_hour: '100' }],
      ['settings that are a list', 'PUT', `/v1/${a.id}/config/app_settings`, [1, 2]],
      ['a sign-in without a password', 'POST', `/v1/${a.id}/sessions`, { email: a.adminEmail }],
      ['a sign-in with a number for an e-mail', 'POST', `/v1/${a.id}/sessions`, { email: 5, password: 'x' }],
      [
        'a password of 2000 characters',
        'POST',
        `/v1/${a.id}/users/${a.adminId}/password`,
        { currentPassword: 'x'.repeat(2000), newPassword: 'y'.repeat(2000) },
      ],
      ['roles that are not words', 'PATCH', `/v1/${a.id}/users/${a.memberId}`, { roles: ['ADMIN;DROP'] }],
    ];
    for (const [what, method, path, body] of other) {
      const r = await send(path, { method, headers: { ...bearer(a.adminToken), ...json, 'x-strata-client-ip': '198.51.100.9' }, body: JSON.stringify(body) });
      expect(r.status, what).toBe(400);
      expect(errorCode(r), what).toBe('invalid_request');
    }
    expect((await world.origin(`/v1/${a.id}/projects`, { headers: bearer(a.adminToken) })).body).toBe(listBefore);
    const limits = await world.origin(`/v1/${a.id}/config/limits`);
    expect(limits.status).toBeLessThan(500);
    const member = await world.origin(`/v1/${a.id}/users/${a.memberId}`, { headers: bearer(a.adminToken) });
    expect(JSON.parse(member.body)).toMatchObject({ roles: [] });
  });

  it.each(sends)('headers, paths and methods through the %s: 4xx, never 5xx, never an echo', async (_, sendOf) => {
    const send = sendOf();
    const path = `/v1/${a.id}/me`;
    const cases: [string, () => Promise<RawResponse>][] = [
      ['a 5000-character bearer token', () => send(path, { headers: bearer('a'.repeat(5000)) })],
      ['a bearer token with spaces and quotes', () => send(path, { headers: { authorization: 'Bearer "a b" c' } })],
      ['Basic credentials', () => send(path, { headers: { authorization: `Basic ${btoa(`${a.adminEmail}:correct horse battery staple`)}` } })],
      ['two authorization headers', () => send(path, { headers: { authorization: [`Bearer ${a.adminToken}`, `Bearer ${b.adminToken}`] } })],
      ['a 12 KiB header', () => send(path, { headers: { 'x-junk': 'j'.repeat(12 * 1024) } })],
      ['a 64 KiB header', () => send(path, { headers: { 'x-junk': 'j'.repeat(64 * 1024) } })],
      ['300 headers', () => send(path, { headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, String(i)])) })],
      ['a malformed If-None-Match', () => send(`/v1/${a.id}/public/projects`, { headers: { 'if-none-match': '"unterminated, W/' } })],
      ['an absurd Range', () => send(`/v1/${a.id}/public/projects`, { headers: { range: 'bytes=99999999999999999999-' } })],
      [
        'many ranges',
        () => send(`/v1/${a.id}/public/projects`, { headers: { range: `bytes=${Array.from({ length: 200 }, (_, i) => `${i}-${i}`).join(',')}` } }),
      ],
      ['a malformed Cache-Control', () => send(`/v1/${a.id}/public/projects`, { headers: { 'cache-control': 'max-age="' } })],
      ['an 8000-character path', () => send(`/v1/${a.id}/${'p'.repeat(8000)}`)],
      ['a 100 000-character query', () => send(`/v1/${a.id}/public/projects?q=${'q'.repeat(100_000)}`)],
      ['a malformed escape', () => send(`/v1/${a.id}/public/projects/%ZZ`)],
      ['an escape of invalid UTF-8', () => send(`/v1/${a.id}/public/%FF%FE`)],
      ['an encoded NUL', () => send(`/v1/${a.id}/public/projects%00`)],
      ['TRACE', () => send(path, { method: 'TRACE', headers: bearer(a.adminToken) })],
      ['PROPFIND', () => send(path, { method: 'PROPFIND', headers: bearer(a.adminToken) })],
      ['an unknown method', () => send(path, { method: 'BREW', headers: bearer(a.adminToken) })],
      ['OPTIONS', () => send(path, { method: 'OPTIONS' })],
    ];
    for (const [what, run] of cases) {
      const r = await run().catch((error: unknown) => ({ status: 0, headers: {}, body: String(error) }) as RawResponse);
      // A server may also close the connection on a request it will not read (status 0 here);
      // the edge then answers as for any origin that drops the connection: 502 origin_unavailable.
      if (r.status === 502) expect(errorCode(r), what).toBe('origin_unavailable');
      // RFC 9110 §9.1: an unrecognised method is 501, answered by the runtime before the Worker.
      else if (what === 'an unknown method') expect([400, 405, 501], what).toContain(r.status);
      else expect(r.status, `${what}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
      expect(r.body, what).not.toContain(a.adminToken);
      expect(r.body, what).not.toContain(a.secret);
    }
    // The stack still answers as before.
    const me = await send(path, { headers: bearer(a.adminToken) });
    expect(me.status).toBe(200);
  });
});

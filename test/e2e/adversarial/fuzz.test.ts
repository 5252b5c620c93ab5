/**
 * Properties over generated requests (fast-check) through the edge and straight to the origin,
 * on the stack of `world.ts`: paths built from the API's own words, ids, dot segments, escapes and
 * key grammar characters; query strings; headers (unkeyed ones, validators, ranges, cache
 * directives, cookies, forged edge headers) with arbitrary values; tenant ids; credentials of
 * either tenant's admin or member, forged or none; methods; JSON and non-JSON bodies, sign-ins
 * included. For every one:
 * - nothing answers 5xx (a dropped connection after refusing a request is allowed, not a 5xx);
 * - no response carries another tenant's data: anonymous requests get no private data of
 *   anyone, a session's requests none of another tenant's, and no request naming one tenant
 *   gets the other's public data either;
 * - nothing private is stored at the edge: a response that carries private data or a session
 *   token was not stored, and the same URL asked again without credentials carries none.
 * Runs are bounded (fixed seed, modest numRuns) so the file stays under a minute on a quiet
 * machine; FUZZ_SEED and FUZZ_RUNS change them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../origin/db/seed.ts';
import { startWorld, type RawRequest, type RawResponse, type Tenant, type World } from './world.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

let world: World;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  world = await startWorld('fz');
  [a, b] = world.tenants;
});
afterAll(async () => {
  await world?.close();
});

type Who = 'anonymous' | 'a-admin' | 'a-member' | 'b-admin' | 'b-member' | 'forged';

interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  who: Who;
}

/** Header values the HTTP client can send: visible ASCII and spaces, no line breaks. */
const headerValue = fc.string({ maxLength: 60 }).map((value) => value.replace(/[^\x21-\x7e ]/g, 'x').trim());

const HEADER_NAMES = [
  'x-forwarded-host',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'forwarded',
  'x-forwarded-proto',
  'x-strata-edge-token',
  'x-strata-cache-version',
  'x-strata-client-ip',
  'x-strata-debug',
  'x-strata-session-tenant',
  'cache-control',
  'pragma',
  'if-none-match',
  'if-modified-since',
  'range',
  'if-range',
  'accept',
  'accept-encoding',
  'cookie',
  'origin',
  'content-type',
  'vary',
  'x-request-id',
  'cf-connecting-ip',
];

/** Whose credential a request carries, relative to the tenant its path names. */
type Role = 'anonymous' | 'own-admin' | 'own-member' | 'other-admin' | 'other-member' | 'forged';

/**
 * Paths, queries, headers, credentials, methods and bodies, over the world's two tenants. Mostly
 * the API's real routes with ids and sessions of the tenant the path names, so requests reach the
 * code that holds data; then bent (suffixes, dot segments, escapes, case), crossed (the other
 * tenant's ids and sessions) or made of arbitrary segments.
 */
function requests(): fc.Arbitrary<Generated> {
  const tenant = fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom('a', 'b') },
    { weight: 1, arbitrary: fc.constantFrom('acme', 'globex', a.id.toUpperCase(), `${a.id}-x`, '-a', 'a'.repeat(64)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
  );
  const ids = fc.record({
    owner: fc.constantFrom('own', 'own', 'own', 'other'),
    project: fc.constantFrom('publicProjectId', 'privateProjectId'),
    user: fc.constantFrom('adminId', 'memberId'),
    random: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uuid() }),
  });
  const template = fc.constantFrom(
    'public/projects',
    'public/projects/{project}',
    'me',
    'users',
    'users/{user}',
    'users/{user}/password',
    'projects',
    'projects/{project}',
    'config/limits',
    'config/app_settings',
    'sessions',
    'sessions/current',
  );
  const bend = fc.oneof(
    { weight: 12, arbitrary: fc.constant((p: string) => p) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        (p: string) => `${p}/x.css`,
        (p: string) => `${p};x.css`,
        (p: string) => `${p}%2Fx.css`,
        (p: string) => `${p}/`,
        (p: string) => `${p}%00`,
        (p: string) => `public/../${p}`,
        (p: string) => `public/%2e%2e/${p}`,
        (p: string) => p.toUpperCase(),
        (p: string) => p.replace(/\//g, '%2F'),
        (p: string) => `${p}/..`,
        (p: string) => `./${p}`,
        (p: string) => `${p}:*`,
        (p: string) => `${p}%7Bx%7D`,
      ),
    },
  );
  const segment = fc.oneof(
    fc.constantFrom(
      'public',
      'projects',
      'me',
      'users',
      'config',
      'limits',
      'sessions',
      '..',
      '.',
      '',
      '%2e%2e',
      '%2F',
      'x.css',
      '%00',
      '%ZZ',
      '%FF',
      ':',
      '*',
      '%7B',
      '{x}',
    ),
    fc.uuid(),
    fc.string({ maxLength: 16 }).map(encodeURIComponent),
  );
  const resolve = (t: string) => (t === 'a' ? a.id : t === 'b' ? b.id : t);
  const path = fc.oneof(
    {
      weight: 14,
      arbitrary: fc.tuple(tenant, template, ids, bend).map(([t, tpl, id, f]) => {
        const owner = (t === 'b') === (id.owner === 'own') ? b : a;
        const filled = tpl.replace('{project}', id.random ?? owner[id.project]).replace('{user}', id.random ?? owner[id.user]);
        return `/v1/${resolve(t)}/${f(filled)}`;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(tenant, fc.array(segment, { maxLength: 4 })).map(([t, rest]) => `/v1/${resolve(t)}/${rest.join('/')}`.replace(/\/$/, '')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('/', '/health', '/metrics', '/openapi.json', '/_strata/health', '/_strata/purge', '/v1', '/v2/acme/me', '//v1/acme/me'),
    },
  );
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('limit', 'cursor', 'callback', '__strata_vary', 'utm_source'), fc.string({ maxLength: 8 })),
        fc.oneof(fc.constantFrom('1', '100', '0', '-1', 'abc', ''), fc.string({ maxLength: 12 })),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`));
  const headers = fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 4 });
  const role = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Role>('own-admin', 'own-member') },
    { weight: 2, arbitrary: fc.constantFrom<Role>('other-admin', 'other-member') },
    { weight: 3, arbitrary: fc.constantFrom<Role>('anonymous', 'forged') },
  );
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'HEAD') },
    { weight: 3, arbitrary: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  );
  const signIn = fc
    .tuple(fc.constantFrom(a.adminEmail, a.memberEmail, b.adminEmail, b.memberEmail, 'nobody@x.test'), fc.constantFrom(DEMO_PASSWORD, 'wrong'))
    .map(([email, password]) => JSON.stringify({ email, password }));
  // No generated body may turn a private project public: that would make private data public
  // legitimately, and the property would blame the edge for it.
  const json = fc
    .jsonValue({ maxDepth: 3 })
    .map((value) => JSON.stringify(value))
    .filter((text) => !text.includes('visibility'));
  const body = fc.oneof(fc.constant(undefined), json, signIn, fc.string({ maxLength: 40 }));
  return fc.record({ method, path: fc.tuple(path, query).map(([p, q]) => p + q), headers, body, role }).map(({ role: r, ...rest }) => {
    const named = tenantOfPath(rest.path) === b.id ? b : a;
    const other = named === a ? b : a;
    const who: Who =
      r === 'anonymous' || r === 'forged'
        ? r
        : `${r.startsWith('own') ? (named === a ? 'a' : 'b') : other === a ? 'a' : 'b'}-${r.endsWith('admin') ? 'admin' : 'member'}`;
    return { ...rest, who };
  });
}

// Sessions by who holds them; a generated logout ends one, and `renewAfter` signs in again so
// the runs after it still read as that user.
const tokens = new Map<Who, string>();

function credentialOf(who: Who): string | undefined {
  if (who === 'anonymous') return undefined;
  if (who === 'forged') return 'x'.repeat(43);
  return tokens.get(who) ?? (who.startsWith('a-') ? a : b)[who.endsWith('admin') ? 'adminToken' : 'memberToken'];
}

async function renewAfter(g: Generated, r: RawResponse): Promise<void> {
  if (g.method !== 'DELETE' || r.status >= 300 || g.who === 'anonymous' || g.who === 'forged') return;
  const t = g.who.startsWith('a-') ? a : b;
  const email = g.who.endsWith('admin') ? t.adminEmail : t.memberEmail;
  const signIn = await world.origin(`/v1/${t.id}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-strata-client-ip': '192.0.2.2' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(signIn.status).toBe(201);
  tokens.set(g.who, (JSON.parse(signIn.body) as { token: string }).token);
}

function toRaw(g: Generated, address: string): RawRequest {
  const headers: Record<string, string> = { ...g.headers, 'cf-connecting-ip': address, 'x-strata-client-ip': address };
  const token = credentialOf(g.who);
  if (token) headers.authorization = `Bearer ${token}`;
  const withBody = g.body !== undefined && g.method !== 'GET' && g.method !== 'HEAD';
  if (withBody && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return { method: g.method, headers, ...(withBody ? { body: g.body } : {}) };
}

/** Private values of `t`: its secret (project, settings, names) and its members' e-mails. */
const privateOf = (t: Tenant) => [t.secret, t.adminEmail, t.memberEmail];
const everything = (r: RawResponse) => `${JSON.stringify(r.headers)}\n${r.body}`;
const carries = (r: RawResponse, values: string[]) => values.filter((value) => everything(r).includes(value));
const tenantOfPath = (path: string) => /^\/v1\/([^/?]+)/.exec(path)?.[1];
const ownTenant = (who: Who) => (who.startsWith('a-') ? a : who.startsWith('b-') ? b : undefined);

/** Sends `g`; a connection the server dropped is status 0. */
async function send(to: 'edge' | 'origin', g: Generated, address: string): Promise<RawResponse> {
  try {
    return await world[to](g.path, toRaw(g, address));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ECONNRESET' || code === 'EPIPE' || String(error).includes('socket hang up')) return { status: 0, headers: {}, body: '' };
    throw error;
  }
}

function checkIsolation(r: RawResponse, g: Generated, where: string): void {
  const context = `${where} ${g.method} ${g.path} as ${g.who} → ${r.status}`;
  expect(r.status, context).toBeLessThan(500);
  const own = ownTenant(g.who);
  for (const t of [a, b]) {
    // Anonymous requests and the other tenant's sessions never see a tenant's private data.
    if (t !== own) expect(carries(r, privateOf(t)), context).toEqual([]);
  }
  // A request that names one tenant never gets the other's data, public or private.
  const named = tenantOfPath(g.path);
  for (const [t, other] of [
    [a, b],
    [b, a],
  ] as const) {
    if (named === t.id) expect(carries(r, [`Open ${other.id}`, ...privateOf(other)]), context).toEqual([]);
  }
}

let n = 0;
const nextAddress = () => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}`;

describe('fuzzed requests', () => {
  it('through the edge: no 5xx, no cross-tenant answer, nothing private stored', async () => {
    await fc.assert(
      fc.asyncProperty(requests(), async (g) => {
        const r = await send('edge', g, nextAddress());
        checkIsolation(r, g, 'edge');
        await renewAfter(g, r);
        const status = String(r.headers['cache-status'] ?? '');
        const token = /"token"\s*:/.test(r.body);
        const own = ownTenant(g.who);
        if (token || (own && carries(r, privateOf(own)).length > 0)) {
          // A session token or private data was not stored nor served from storage.
          expect(status, `${g.method} ${g.path}`).not.toMatch(/strata-edge; (hit|fwd=[a-z]+(; fwd-status=\d+)?; stored)/);
        }
        // Whatever was stored under this URL is no one's private data.
        const replay: Generated = { method: 'GET', path: g.path, headers: {}, body: undefined, who: 'anonymous' };
        const again = await send('edge', replay, nextAddress());
        checkIsolation(again, replay, 'edge replay');
        expect(/"token"\s*:/.test(again.body), `replay of ${g.path}`).toBe(false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 180_000);

  it('straight to the origin: no 5xx, no cross-tenant answer', async () => {
    await fc.assert(
      fc.asyncProperty(requests(), async (g) => {
        const r = await send('origin', g, nextAddress());
        checkIsolation(r, g, 'origin');
        await renewAfter(g, r);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  }, 180_000);

  it('the fixtures the properties rely on were still there at the end', async () => {
    // The properties are only as strong as the private data they look for: at least one place
    // of each tenant still holds its secret for its own members.
    for (const [t, who] of [
      [a, 'a-admin'],
      [b, 'b-admin'],
    ] as const) {
      const headers = { authorization: `Bearer ${credentialOf(who)}`, 'x-strata-client-ip': '192.0.2.1' };
      const own = await world.origin(`/v1/${t.id}/users?limit=100`, { headers });
      const project = await world.origin(`/v1/${t.id}/projects/${t.privateProjectId}`, { headers });
      expect(`${own.body}${project.body}`).toContain(t.secret);
    }
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePurgeMessage, PURGE_HEADERS, PURGE_LIMITS, PURGE_WINDOW_SECONDS, signedPurgeHeaders, signPurge, verifyPurge } from '../../common/purge.ts';

const SECRET = 'test-secret-0123456789';
const NOW = 1_800_000_000;
const BODY = JSON.stringify({ id: 'p-1', tags: ['project:1'] });

async function signed(overrides: Record<string, string | null> = {}, body = BODY, timestamp = NOW) {
  const headers = new Headers(await signedPurgeHeaders(SECRET, 'p-1', body, timestamp));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return headers;
}

describe('purge signature', () => {
  it('is v1= hex HMAC-SHA256 over id.timestamp.body (checked against node:crypto)', async () => {
    const expected = createHmac('sha256', SECRET).update(`p-1.${NOW}.${BODY}`).digest('hex');
    expect(await signPurge(SECRET, 'p-1', NOW, BODY)).toBe(`v1=${expected}`);
    expect(await signPurge(SECRET, 'p-1', NOW, new TextEncoder().encode(BODY))).toBe(`v1=${expected}`);
  });

  it('round-trips', async () => {
    expect(await verifyPurge(SECRET, await signed(), BODY, NOW)).toEqual({ ok: true, id: 'p-1', timestamp: NOW });
    expect((await verifyPurge(SECRET, await signed(), new TextEncoder().encode(BODY), NOW)).ok).toBe(true);
  });

  it('refuses a tampered body, id or timestamp', async () => {
    const headers = await signed();
    expect(await verifyPurge(SECRET, headers, BODY.replace('project:1', 'project:2'), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyPurge(SECRET, headers, `${BODY} `, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyPurge(SECRET, await signed({ [PURGE_HEADERS.id]: 'p-2' }), BODY, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyPurge(SECRET, await signed({ [PURGE_HEADERS.timestamp]: String(NOW - 1) }), BODY, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses another secret', async () => {
    expect(await verifyPurge('another-secret', await signed(), BODY, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts the window edges and nothing past them, either way', async () => {
    const at = async (offset: number) => verifyPurge(SECRET, await signed({}, BODY, NOW + offset), BODY, NOW);
    expect((await at(-PURGE_WINDOW_SECONDS)).ok).toBe(true);
    expect((await at(PURGE_WINDOW_SECONDS)).ok).toBe(true);
    expect(await at(-PURGE_WINDOW_SECONDS - 1)).toEqual({ ok: false, reason: 'stale' });
    expect(await at(PURGE_WINDOW_SECONDS + 1)).toEqual({ ok: false, reason: 'future' });
  });

  it('accepts any one of several v1 signatures (key rotation)', async () => {
    const good = await signPurge(SECRET, 'p-1', NOW, BODY);
    const other = await signPurge('old-secret', 'p-1', NOW, BODY);
    expect((await verifyPurge(SECRET, await signed({ [PURGE_HEADERS.signature]: `${other}, ${good}` }), BODY, NOW)).ok).toBe(true);
    expect(await verifyPurge(SECRET, await signed({ [PURGE_HEADERS.signature]: `${other}, ${other}` }), BODY, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it.each([
    [{ [PURGE_HEADERS.signature]: null }, 'missing_headers'],
    [{ [PURGE_HEADERS.id]: null }, 'missing_headers'],
    [{ [PURGE_HEADERS.timestamp]: null }, 'missing_headers'],
    [{ [PURGE_HEADERS.id]: 'a:b' }, 'malformed_id'],
    [{ [PURGE_HEADERS.id]: 'x'.repeat(65) }, 'malformed_id'],
    [{ [PURGE_HEADERS.timestamp]: '1.5e9' }, 'malformed_timestamp'],
    [{ [PURGE_HEADERS.timestamp]: '-1' }, 'malformed_timestamp'],
    [{ [PURGE_HEADERS.timestamp]: '' }, 'malformed_timestamp'],
    [{ [PURGE_HEADERS.signature]: 'deadbeef' }, 'malformed_signature'],
    [{ [PURGE_HEADERS.signature]: `v2=${'a'.repeat(64)}` }, 'malformed_signature'],
    [{ [PURGE_HEADERS.signature]: `v1=${'A'.repeat(64)}` }, 'malformed_signature'],
    [{ [PURGE_HEADERS.signature]: `v1=${'a'.repeat(63)}` }, 'malformed_signature'],
    [
      {
        [PURGE_HEADERS.signature]: Array(5)
          .fill(`v1=${'a'.repeat(64)}`)
          .join(','),
      },
      'malformed_signature',
    ],
  ])('refuses malformed headers %o as %s', async (overrides, reason) => {
    expect(await verifyPurge(SECRET, await signed(overrides), BODY, NOW)).toEqual({ ok: false, reason });
  });
});

describe('purge message', () => {
  const ok = (value: unknown) => parsePurgeMessage(value).ok;

  it('accepts every selector', () => {
    expect(
      parsePurgeMessage({
        id: 'outbox_42-A',
        urls: ['https://api.example.com/v1/acme/public/projects?page=2', 'http://localhost:8787/v1/acme/public/projects'],
        tags: ['project:1a000000-0000-4000-8000-000000000001', 'tenant.acme'],
        tenants: ['acme', 'globex-2'],
        prefixes: ['/v1/acme/public/projects', '/v1/acme/', '/v1/acme/public/caf%C3%A9/'],
        everything: true,
      }),
    ).toMatchObject({ ok: true, message: { id: 'outbox_42-A', everything: true } });
  });

  it('needs at least one selector', () => {
    expect(parsePurgeMessage({ id: 'p-1' })).toMatchObject({ ok: false, error: expect.stringContaining('at least one') });
    expect(ok({ id: 'p-1', tags: [], everything: false })).toBe(false);
    expect(ok({ id: 'p-1', everything: true })).toBe(true);
  });

  it.each([
    ['a missing id', { tags: ['a'] }],
    ['an id with a colon', { id: 'a:b', tags: ['a'] }],
    ['an unknown field', { id: 'p', tags: ['a'], tag: 'a' }],
    ['a relative url', { id: 'p', urls: ['/v1/acme/public/projects'] }],
    ['a non-http url', { id: 'p', urls: ['ftp://example.com/v1/acme/x'] }],
    ['a url with credentials', { id: 'p', urls: ['https://u:p@example.com/v1/acme/x'] }],
    ['an uppercase tag', { id: 'p', tags: ['Project:1'] }],
    ['a glob tag', { id: 'p', tags: ['project:*'] }],
    ['a malformed tenant', { id: 'p', tenants: ['-acme'] }],
    ['a prefix outside /v1/<tenant>/', { id: 'p', prefixes: ['/v2/acme/x'] }],
    ['a prefix without the tenant slash', { id: 'p', prefixes: ['/v1/acme'] }],
    ['a prefix with a query', { id: 'p', prefixes: ['/v1/acme/x?a=1'] }],
    ['a prefix with a dot segment', { id: 'p', prefixes: ['/v1/acme/../globex'] }],
    ['a prefix with an empty segment', { id: 'p', prefixes: ['/v1/acme//x'] }],
    ['a glob prefix', { id: 'p', prefixes: ['/v1/acme/*'] }],
    ['a prefix too deep', { id: 'p', prefixes: [`/v1/acme/${Array(17).fill('a').join('/')}`] }],
    ['everything as a string', { id: 'p', everything: 'true' }],
    ['too many tags', { id: 'p', tags: Array.from({ length: PURGE_LIMITS.tags + 1 }, (_, i) => `t${i}`) }],
    ['too many urls', { id: 'p', urls: Array.from({ length: PURGE_LIMITS.urls + 1 }, (_, i) => `https://e.com/v1/a/${i}`) }],
  ])('refuses %s', (_, value) => {
    expect(ok(value)).toBe(false);
  });

  it('names the offending field', () => {
    expect(parsePurgeMessage({ id: 'p', tags: ['ok', 'NOT OK'] })).toMatchObject({ ok: false, error: expect.stringMatching(/^tags\.1: /) });
  });
});

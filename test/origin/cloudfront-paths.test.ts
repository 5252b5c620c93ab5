/**
 * What each purge invalidates on CloudFront, and how purges are grouped within CloudFront's
 * invalidation limits (origin/cloudfront/paths.ts, batches.ts).
 */
import { describe, expect, it } from 'vitest';
import type { PurgeMessage } from '../../common/purge.ts';
import { projectPurge } from '../../origin/projects/commands.ts';
import { CLOUDFRONT_LIMITS, invalidationPaths, planRounds } from '../../origin/cloudfront/index.ts';

const purge = (selectors: Omit<PurgeMessage, 'id'>): PurgeMessage => ({ id: 'p1', ...selectors });

describe('invalidation paths of a purge', () => {
  it('turns a project write into its tenant’s public wildcard (the tag has no path)', () => {
    expect(invalidationPaths(purge(projectPurge('acme', '1a000000-0000-4000-8000-000000000001')))).toEqual(['/v1/acme/public/*']);
  });

  it('maps prefixes, tenants, tenant tags, URLs and everything', () => {
    expect(invalidationPaths(purge({ prefixes: ['/v1/acme/public/projects/'] }))).toEqual(['/v1/acme/public/projects*']);
    // A tenant's root stays within the tenant (`/v1/acme*` would also drop `/v1/acme-corp/…`).
    expect(invalidationPaths(purge({ prefixes: ['/v1/acme/'] }))).toEqual(['/v1/acme/*']);
    expect(invalidationPaths(purge({ tenants: ['acme'], prefixes: ['/v1/acme/public/projects'] }))).toEqual(['/v1/acme/*']);
    expect(invalidationPaths(purge({ tags: ['tenant:globex'] }))).toEqual(['/v1/globex/*']);
    expect(invalidationPaths(purge({ everything: true, tenants: ['acme'] }))).toEqual(['/*']);
    // A URL is exact, query included (CloudFront keys on the route's query parameters).
    expect(invalidationPaths(purge({ urls: ['https://edge.example/v1/acme/public/projects?limit=5&cursor=a'] }))).toEqual([
      '/v1/acme/public/projects?limit=5&cursor=a',
    ]);
    // `*` is a wildcard only at a path's end: a URL holding one is invalidated from there on.
    expect(invalidationPaths(purge({ urls: ['https://edge.example/v1/acme/public/a*b'] }))).toEqual(['/v1/acme/public/a*']);
  });

  it('maps a tag to every tenant the purge names, and to everything when it names none', () => {
    expect(
      invalidationPaths(purge({ tags: ['projects'], prefixes: ['/v1/acme/public/projects'], urls: ['https://e.example/v1/globex/public/projects'] })),
    ).toEqual(['/v1/acme/public/*', '/v1/globex/public/*']);
    expect(invalidationPaths(purge({ tags: ['project:1'] }))).toEqual(['/*']);
  });

  it('drops paths another one covers', () => {
    const paths = invalidationPaths(
      purge({
        prefixes: ['/v1/acme/public/projects', '/v1/acme/public'],
        urls: ['https://e.example/v1/acme/public/projects/1', 'https://e.example/v1/beta/x'],
      }),
    );
    expect(paths).toEqual(['/v1/acme/public*', '/v1/beta/x']);
  });
});

describe('invalidation rounds', () => {
  const tenants = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `t${from + i}`);

  it('sends the purges of one run together, each tenant’s wildcard once', () => {
    const rounds = planRounds([
      { id: 'a', paths: ['/v1/acme/public/*'] },
      { id: 'b', paths: ['/v1/acme/public/*'] },
      { id: 'c', paths: ['/v1/globex/public/*', '/v1/globex/public/projects/1'] },
    ]);
    expect(rounds).toEqual([{ paths: ['/v1/acme/public/*', '/v1/globex/public/*'], ids: ['a', 'b', 'c'], widened: [] }]);
  });

  it('keeps every request within 15 wildcard paths, oldest purges first, never splitting one', () => {
    const purges = tenants(40).map((tenant, i) => ({ id: `r${i}`, paths: [`/v1/${tenant}/*`] }));
    const rounds = planRounds(purges);
    expect(rounds.map((round) => round.paths.length)).toEqual([15, 15, 10]);
    expect(rounds.flatMap((round) => round.ids)).toEqual(purges.map((p) => p.id));
    const split = planRounds([
      { id: 'a', paths: tenants(10).map((t) => `/v1/${t}/*`) },
      { id: 'b', paths: tenants(10, 10).map((t) => `/v1/${t}/*`) },
    ]);
    expect(split.map((round) => round.ids)).toEqual([['a'], ['b']]);
  });

  it('widens a purge that needs more than 15 wildcards to /*, and keeps files within 3,000 a request', () => {
    const wide = planRounds([{ id: 'w', paths: tenants(16).map((t) => `/v1/${t}/*`) }]);
    expect(wide).toEqual([{ paths: ['/*'], ids: ['w'], widened: ['w'] }]);
    expect(CLOUDFRONT_LIMITS).toEqual({ wildcards: 15, paths: 3000 });
    const files = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `/v1/acme/public/projects/${prefix}${i}`);
    const rounds = planRounds([
      { id: 'a', paths: files(2000, 'a') },
      { id: 'b', paths: files(1500, 'b') },
    ]);
    expect(rounds.map((round) => [round.ids, round.paths.length])).toEqual([
      [['a'], 2000],
      [['b'], 1500],
    ]);
  });
});

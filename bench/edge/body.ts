/**
 * The body every edge subject serves for a path: about 1 KB of JSON, shaped like a page of the
 * public project list. The floor Worker and the bench origin share it, so every subject sends
 * the same bytes and only what it does to get them differs.
 */
const PROJECT = {
  id: '1a000000-0000-4000-8000-000000000001',
  name: 'Website Redesign',
  status: 'active',
  memberCount: 5,
  tags: ['marketing', 'web', 'q3'],
  description: 'x'.repeat(640),
  lastModified: '2026-01-15T08:30:00Z',
};

/** The JSON text served for `path` (path and query). */
export function projectsBody(path: string): string {
  return JSON.stringify({ path, data: [PROJECT] });
}

/** Headers of that body: public, an hour at shared caches, tagged as the origin tags lists. */
export const PROJECTS_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'cache-control': 'public, s-maxage=3600',
  'x-strata-cache-tags': 'tenant:bench,projects',
};

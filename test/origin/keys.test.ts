import { describe, expect, it } from 'vitest';
import { apiResponseKey, resourceKey } from '../../common/keys.ts';

describe('key grammar', () => {
  it('wraps the tenant in a hash tag so a tenant stays in one cluster slot', async () => {
    expect(resourceKey('acme', 'project', '1a000000-0000-4000-8000-000000000001')).toBe('resource:{acme}:project:1a000000-0000-4000-8000-000000000001');
    expect(await apiResponseKey('v1', 'acme', 'GET /public/projects', '')).toMatch(/^api:v1:\{acme\}:[0-9a-f]{16}:[0-9a-f]{16}$/);
  });

  it('hashes endpoint and query, so different queries get different keys', async () => {
    const a = await apiResponseKey('v1', 'acme', 'GET /public/projects', 'a=1');
    const b = await apiResponseKey('v1', 'acme', 'GET /public/projects', 'a=2');
    expect(a).not.toBe(b);
    expect(await apiResponseKey('v1', 'acme', 'GET /public/projects', 'a=1')).toBe(a);
  });

  it.each(['*', 'a:b', '{acme}', 'ACME', '-acme', '', 'a'.repeat(64), 'acme\n'])('refuses the tenant %j', (tenant) => {
    expect(() => resourceKey(tenant, 'project', 'x1')).toThrow(TypeError);
  });

  it.each(['*', 'a:b', '{x}', '../x', 'A', ''])('refuses the id %j', (id) => {
    expect(() => resourceKey('acme', 'project', id)).toThrow(TypeError);
  });
});

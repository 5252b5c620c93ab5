/**
 * Which Redis entries the origin reads for an API path: the inverse of the services' key
 * builders, for `strata inspect <url>`. Paths the origin does not cache in Redis map to none.
 */
import { isResourceId, isTenantId } from '../../common/ids.ts';
import { configKey, userKey } from '../../common/keys.ts';
import { projectKey, projectListKey } from '../projects/service.ts';
import { CONFIG_TYPES } from '../tenant-config/service.ts';

/** The keys behind `path` (`/v1/{tenant}/…`, a query ignored), and its tenant when it names one. */
export async function keysForPath(path: string): Promise<{ tenant: string | undefined; keys: string[] }> {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  if (segments[0] !== 'v1' || segments[1] === undefined || !isTenantId(segments[1])) return { tenant: undefined, keys: [] };
  const tenant = segments[1];
  const [first, second, third] = segments.slice(2);
  if (first === 'public' && second === 'projects' && third === undefined && segments.length === 4) return { tenant, keys: [await projectListKey(tenant)] };
  if (first === 'public' && second === 'projects' && third !== undefined && isResourceId(third) && segments.length === 5)
    return { tenant, keys: [projectKey(tenant, third)] };
  if (first === 'users' && second !== undefined && isResourceId(second) && segments.length === 4) return { tenant, keys: [userKey(tenant, second)] };
  if (first === 'config' && second !== undefined && (CONFIG_TYPES as readonly string[]).includes(second) && segments.length === 4)
    return { tenant, keys: [configKey(tenant, second)] };
  return { tenant, keys: [] };
}

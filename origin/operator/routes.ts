/**
 * The operator API, for `strata` (cli/): `/ops/stats`, `/ops/inspect`, `/ops/tenants/{tenant}`
 * and `/ops/warm`, every route behind the operator token (`auth.ts`). Mounted only when
 * `OPERATOR_TOKEN` (or `OPERATOR_TOKEN_SECRET_ARN`) is set; the edge never forwards `/ops/…` (it serves `/v1/…` only).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { isResourceId, isTenantId } from '../../common/ids.ts';
import type { Services } from '../services.ts';
import { requireOperator, type OperatorToken } from './auth.ts';
import { inspectKey, type KeyReport } from './inspect.ts';
import { statsReader } from './stats.ts';
import { keysForPath } from './url-keys.ts';
import { WARM_MAX_BATCH, WARM_TYPES, warmBatch, warmInventory } from './warm.ts';

const NO_STORE = { 'cache-control': 'no-store' };

const WarmRequest = z
  .object({
    tenant: z.string(),
    type: z.enum(WARM_TYPES),
    after: z.string().max(128).nullish(),
    limit: z.number().int().min(1).max(WARM_MAX_BATCH),
  })
  .strict();

function tenantOf(value: string): string {
  if (!isTenantId(value)) throw new HttpError(400, ERROR_CODES.invalidTenant, `invalid tenant id ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

function badRequest(message: string): HttpError {
  return new HttpError(400, ERROR_CODES.invalidRequest, message);
}

/** The operator routes over `services`, guarded by `token`. */
export function operatorRoutes(services: Services, token: OperatorToken): Hono {
  const app = new Hono();
  const stats = statsReader(services);
  app.use('/ops/*', requireOperator(token));

  app.get('/ops/stats', async (c) => c.json(await stats(), 200, NO_STORE));

  app.get('/ops/inspect', async (c) => {
    const key = c.req.query('key');
    const path = c.req.query('path');
    if ((key === undefined) === (path === undefined)) throw badRequest('give exactly one of key or path');
    if (key !== undefined) return c.json({ keys: [await inspectKey(services.cache, services.policies, key)] }, 200, NO_STORE);
    if (!path!.startsWith('/')) throw badRequest('path must start with /');
    const { tenant, keys } = await keysForPath(path!);
    const reports: KeyReport[] = [];
    for (const one of keys) reports.push(await inspectKey(services.cache, services.policies, one));
    return c.json({ path, tenant: tenant ?? null, keys: reports }, 200, NO_STORE);
  });

  app.get('/ops/tenants/:tenant', async (c) => c.json(await warmInventory(services, tenantOf(c.req.param('tenant'))), 200, NO_STORE));

  app.post('/ops/warm', async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw badRequest('body must be JSON');
    });
    const parsed = WarmRequest.safeParse(body);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    const { type, after, limit } = parsed.data;
    const tenant = tenantOf(parsed.data.tenant);
    if (after != null && type !== 'config' && !isResourceId(after)) throw badRequest('after: must be an id from the previous batch');
    const batch = await warmBatch(services, tenant, type, after ?? undefined, limit);
    stats.forgetCensus();
    return c.json(batch, 200, NO_STORE);
  });
  return app;
}
